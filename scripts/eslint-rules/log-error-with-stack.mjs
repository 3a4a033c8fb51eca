/**
 * dagctl/log-error-with-stack: an error-level log line about a caught error passes the error
 * itself, `log.error('pass failed', { err })`, so the logger prints its stack
 * (src/logging/logger.ts). Reported: a winston logger's `.error(…)` without an `err` property
 * whose arguments use `errorMessage(x)`, an Error (`x.message`, `String(x)`, `${x}`) or a caught
 * error (the binding of a `catch` clause or of a `.catch()` callback). Lower levels may keep the
 * message alone: they report conditions the code handles.
 *
 * Needs type information (the callee must be a winston Logger; `x` an Error).
 */

/** @param {import('typescript').Type} type */
function isErrorType(checker, type, depth = 0) {
  if (depth > 8) return false;
  if (type.isUnion()) return type.types.some((t) => isErrorType(checker, t, depth + 1));
  const symbol = type.getSymbol();
  if (symbol?.getName() === 'Error') return true;
  if (type.isClassOrInterface())
    return (checker.getBaseTypes(type) ?? []).some((t) => isErrorType(checker, t, depth + 1));
  return false;
}

/** @param {import('typescript').Type} type */
function isWinstonLogger(type) {
  const symbol = type.aliasSymbol ?? type.getSymbol();
  if (symbol?.getName() !== 'Logger') return false;
  return (symbol.getDeclarations() ?? []).some((d) => /[\\/]winston[\\/]/.test(d.getSourceFile().fileName));
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'Pass a caught error to log.error as { err } so that its stack is logged' },
    messages: {
      passError:
        "Log the error itself so that its stack is printed: `log.error('…', { err })` " +
        '(the logger appends its message), not `{{ what }}`.',
    },
    schema: [],
  },
  create(context) {
    const services = context.sourceCode.parserServices;
    if (!services?.program) return {};
    const checker = services.program.getTypeChecker();
    const typeOf = (node) => services.getTypeAtLocation(node);

    /** Whether `id` names the error of a `catch (err)` clause or of a `.catch((err) => …)` callback. */
    function isCaughtError(id) {
      for (let scope = context.sourceCode.getScope(id); scope; scope = scope.upper) {
        const variable = scope.set.get(id.name);
        if (!variable) continue;
        const def = variable.defs[0];
        if (def?.type === 'CatchClause') return true;
        const fn = def?.type === 'Parameter' ? def.node : null;
        const call = fn?.parent;
        return (
          call?.type === 'CallExpression' &&
          call.callee.type === 'MemberExpression' &&
          call.callee.property.name === 'catch' &&
          call.arguments[0] === fn &&
          fn.params[0]?.type === 'Identifier' &&
          fn.params[0].name === id.name
        );
      }
      return false;
    }

    /** The first use of an error's message under `node`. */
    function findMessageUse(node) {
      if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'errorMessage')
        return node;
      if (node.type === 'Identifier' && (isCaughtError(node) || isErrorType(checker, typeOf(node)))) return node;
      if (
        node.type === 'MemberExpression' &&
        !node.computed &&
        ['message', 'stack'].includes(node.property.name) &&
        isErrorType(checker, typeOf(node.object))
      )
        return node;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'parent' || key === 'typeAnnotation') continue;
        // A non-computed property name (`x.name`, `{ name: … }`) is not a reference.
        if (key === 'property' && node.type === 'MemberExpression' && !node.computed) continue;
        if (key === 'key' && node.type === 'Property' && !node.computed) continue;
        for (const child of Array.isArray(value) ? value : [value]) {
          const found = child && typeof child.type === 'string' ? findMessageUse(child) : null;
          if (found) return found;
        }
      }
      return null;
    }

    return {
      "CallExpression[callee.type='MemberExpression'][callee.property.name='error']"(node) {
        if (!isWinstonLogger(typeOf(node.callee.object))) return;
        const passesErr = node.arguments.some(
          (arg) =>
            arg.type === 'ObjectExpression' &&
            arg.properties.some((p) => p.type === 'Property' && !p.computed && p.key.name === 'err'),
        );
        if (passesErr) return;
        for (const arg of node.arguments) {
          const found = findMessageUse(arg);
          if (found) {
            const what = context.sourceCode.getText(found).replace(/\s+/g, ' ');
            context.report({ node: found, messageId: 'passError', data: { what } });
            return;
          }
        }
      },
    };
  },
};

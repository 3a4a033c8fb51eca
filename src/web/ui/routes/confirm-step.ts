import type { Request, Response } from 'express';
import type { UiRouteContext } from '../ui-route-context';
import { body } from './route-helpers';

export interface ConfirmSpec {
  title: string;
  /** One sentence saying what will happen. */
  message: string;
  /** What the action will touch (task instances, runs…), listed under the message. */
  details?: string[];
  /** Button text, e.g. 'Clear'. */
  confirmLabel: string;
  /** Styles the button as destructive. */
  danger?: boolean;
  /** Where Cancel goes. */
  cancelUrl: string;
}

/**
 * Every action asks first: a POST without `confirmed=yes` renders a confirmation page that
 * re-posts the same fields with it; only the confirmed POST runs the action.
 */
export async function confirmThenRun(
  c: UiRouteContext,
  req: Request,
  res: Response,
  spec: ConfirmSpec | (() => Promise<ConfirmSpec>),
  run: () => Promise<string>,
): Promise<void> {
  const fields = body(req);
  if (fields.confirmed === 'yes') {
    res.redirect(303, await run());
    return;
  }
  const resolved = typeof spec === 'function' ? await spec() : spec;
  const hidden = Object.entries(fields)
    .filter(([name, value]) => name !== '_csrf' && name !== 'confirmed' && typeof value === 'string')
    .map(([name, value]) => ({ name, value: value as string }));
  c.render(req, res, 'confirm.njk', { ...resolved, action: req.originalUrl, hidden });
}

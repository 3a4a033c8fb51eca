import fs from 'node:fs';
import path from 'node:path';
import { tiers } from '../../config/architecture/layers.json';
import { GLOSSARY } from '../../src/core/glossary';
import { REPO } from './run-cruise';

/** The text of one `## Heading` section of docs/ARCHITECTURE.md, up to the next `## `. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/ARCHITECTURE.md has no '## ${heading}' section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** docs/ARCHITECTURE.md matches the code: its layer list, its layer paragraphs, its glossary. */
describe('architecture: docs/ARCHITECTURE.md', () => {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'ARCHITECTURE.md'), 'utf8');

  it('lists exactly the layers the architecture test enforces (config/architecture/layers.json)', () => {
    const layers = section(doc, 'Layers');
    const block = /```text\n([\s\S]*?)```/.exec(layers);
    expect(block).not.toBeNull();
    const documented = block![1]
      .trim()
      .split('\n')
      .map((line) =>
        line
          .replace(/^←\s*/, '')
          .split(',')
          .map((name) => name.trim()),
      );
    expect(documented).toEqual(tiers);
  });

  it('has one paragraph per layer', () => {
    const layers = section(doc, 'Layers');
    const described = [...layers.matchAll(/^\*\*`([^`]+)`\*\* — /gm)].map((m) => m[1]);
    expect(described).toEqual(tiers.flat());
  });

  it('has the glossary of src/core/glossary.ts', () => {
    const entries = [...section(doc, 'Glossary').matchAll(/^- \*\*(.+?)\*\*: (.+)$/gm)].map((m) => ({
      term: m[1],
      definition: m[2],
    }));
    expect(entries).toEqual(GLOSSARY);
  });

  it('keeps the State changes section', () => {
    const states = section(doc, 'State changes');
    for (const topic of ['One writer.', 'Guarded transitions.', 'Idempotent creation.'])
      expect(states).toContain(topic);
  });
});

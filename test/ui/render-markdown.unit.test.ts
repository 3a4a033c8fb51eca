import { renderMarkdown } from '../../src/web/ui/render/render-markdown';

describe('renderMarkdown (DAG docs)', () => {
  it('renders headings, lists, emphasis, code, tables and links', () => {
    const html = renderMarkdown(
      '# Daily load\n\nLoads **orders** into `dw`.\n\n- extract\n- load\n\n1. one\n\n' +
        '| a | b |\n|:-|-:|\n| 1 | 2 |\n\n```sql\nselect 1;\n```\n\n[runbook](https://example.org/runbook)',
    );
    expect(html).toContain('<h1>Daily load</h1>');
    expect(html).toContain('<strong>orders</strong>');
    expect(html).toContain('<code>dw</code>');
    expect(html).toContain('<ul>\n<li>extract</li>\n<li>load</li>\n</ul>');
    expect(html).toContain('<ol>\n<li>one</li>\n</ol>');
    expect(html).toContain('<th style="text-align:left">a</th>');
    expect(html).toContain('<pre><code class="language-sql">select 1;\n</code></pre>');
    expect(html).toContain('<a href="https://example.org/runbook" rel="noopener noreferrer nofollow">runbook</a>');
  });

  it('never lets HTML from the DAG file through: tags become text, no script, no event handler', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n<iframe src="https://evil.example"></iframe>\n\n' +
        '<a href="javascript:alert(3)" onclick="alert(4)">x</a>\n\n<div style="position:fixed">overlay</div>',
    );
    expect(html).not.toMatch(/<(script|img|iframe|div)/i);
    // no tag carries an event handler or a script link (linkify may make the https URL a link)
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    expect(html).not.toMatch(/<a [^>]*href="javascript/i);
    // what remains is escaped text, shown as written
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror="alert(2)"&gt;');
  });

  it('drops javascript:, vbscript: and data: links but keeps their text', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html;base64,PHNjcmlwdD4=',
    ]) {
      const html = renderMarkdown(`[click](${url})`);
      expect(html).not.toMatch(/href=|<a /i);
      expect(html.toLowerCase()).not.toContain('href="javascript');
    }
    // an autolink with a script scheme is not a link either
    expect(renderMarkdown('<javascript:alert(1)>')).not.toContain('<a ');
  });

  it('keeps only text-align styles on table cells and nothing for empty docs', () => {
    expect(renderMarkdown(null)).toBe('');
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown('| a |\n|:-:|\n| 1 |')).toContain('<td style="text-align:center">1</td>');
  });
});

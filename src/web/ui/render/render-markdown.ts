import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * DAG docs (`docMd`) come from DAG files, i.e. from anyone who can push one: render them as
 * Markdown, never as HTML. markdown-it runs with `html: false` (raw HTML in the source is shown as
 * text) and refuses javascript:/vbscript:/data: links; sanitize-html then keeps only an allow-list
 * of tags and attributes, as a second wall should a renderer change let something through.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });

const ALLOWED_TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'ul',
  'ol',
  'li',
  'strong',
  'em',
  's',
  'a',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
];

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: { a: ['href', 'title'], ol: ['start'], th: ['style'], td: ['style'], code: ['class'] },
  // table alignment only; any other style is dropped
  allowedStyles: { '*': { 'text-align': [/^(left|right|center)$/] } },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // links leave the UI: never give the target page a handle on ours
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
};
SANITIZE.allowedAttributes = { ...SANITIZE.allowedAttributes, a: ['href', 'title', 'rel'] };

/** Safe HTML for a DAG's Markdown docs; '' for none. */
export function renderMarkdown(source: string | null | undefined): string {
  if (!source) return '';
  return sanitizeHtml(markdown.render(source), SANITIZE);
}

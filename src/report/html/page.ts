/**
 * The shell of every HTML report: a header, a list of sections, the stylesheet and the scripts, all
 * inline. A page makes no network request, so it can be mailed, archived or opened offline.
 */
import { escapeHtml } from './escape.js';
import { STYLES } from './styles.js';

export interface PageSection {
  /** The element id (for the navigation links and for tests). */
  id: string;
  title: string;
  /** One line under the title saying how to read the section. */
  hint?: string;
  /** The section's body, already escaped HTML. */
  html: string;
}

export interface Page {
  title: string;
  /** Shown small next to the title (a version, a pid). */
  subtitle?: string;
  /** The trace directory or file the page was made from. */
  source: string;
  sections: PageSection[];
  /** Browser scripts, each run once after the page is parsed. */
  scripts: string[];
}

export function renderPage(page: Page): string {
  const nav =
    page.sections.length > 1
      ? `<nav class="sections">${page.sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('')}</nav>`
      : '';
  const sections = page.sections.map(
    (s) => `<section class="card" id="${escapeHtml(s.id)}">
<h2>${escapeHtml(s.title)}</h2>
${s.hint ? `<p class="hint">${escapeHtml(s.hint)}</p>` : ''}
${s.html}
</section>`,
  );
  // Each script runs in its own function scope, so two reporters' helpers cannot clash.
  const scripts = page.scripts.map((script) => `<script>(function () {\n'use strict';\n${script}\n})();</script>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${STYLES}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(page.title)}${page.subtitle ? `<small>${escapeHtml(page.subtitle)}</small>` : ''}</h1>
<div class="where">${escapeHtml(page.source)}</div>
${nav}
</header>
<main>
${sections.join('\n')}
</main>
${scripts.join('\n')}
</body>
</html>
`;
}

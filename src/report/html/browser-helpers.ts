/**
 * Helpers the page scripts share, as browser source. The size and duration formatters are the very
 * functions of units.ts (their source text), so the page and the terminal print sizes alike.
 */
import { BYTE_UNITS, formatBytes, formatDuration } from '../../shared/units.js';
import { HTML_ESCAPES } from './escape.js';

export const BROWSER_HELPERS = `
const BYTE_UNITS = ${JSON.stringify(BYTE_UNITS)};
const formatBytes = ${formatBytes.toString()};
const formatDuration = ${formatDuration.toString()};
const HTML_ESCAPES = ${JSON.stringify(HTML_ESCAPES)};
function escapeHtml(text) { return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]); }
function readData(id) { return JSON.parse(document.getElementById(id).textContent); }
function percent(part, whole) { return whole > 0 ? (100 * part / whole).toFixed(part / whole >= 0.1 ? 1 : 2) + '%' : '–'; }
`;

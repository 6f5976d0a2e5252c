/** The report pages' one stylesheet (inline, so a page works offline and as a mail attachment). */
export const STYLES = `
:root { --fg: #1d2330; --muted: #5f6b7a; --line: #dde2ea; --bg: #f6f7f9; --card: #fff; --accent: #2f6fde; --match: #d01fb7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
header.page { background: #18202e; color: #fff; padding: 18px 28px 14px; }
header.page h1 { margin: 0 0 4px; font-size: 20px; font-weight: 600; }
header.page h1 small { font-weight: 400; color: #aeb8c8; font-size: 14px; margin-left: 8px; }
header.page .where { color: #c8d1df; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
nav.sections { margin-top: 10px; display: flex; gap: 14px; flex-wrap: wrap; }
nav.sections a { color: #9cc2ff; text-decoration: none; font-size: 13px; }
nav.sections a:hover { text-decoration: underline; }
main { padding: 18px 28px 40px; max-width: 1500px; margin: 0 auto; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin-bottom: 18px; }
section.card > h2 { margin: 0 0 4px; font-size: 16px; font-weight: 600; }
section.card > p.hint { margin: 0 0 12px; color: var(--muted); font-size: 12.5px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: #fbfcfd; }
.figure .label { color: var(--muted); font-size: 12px; }
.figure .value { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure .note { color: var(--muted); font-size: 11.5px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
details { margin-top: 10px; }
details summary { cursor: pointer; color: var(--muted); }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.toolbar { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
.toolbar input[type=search] { font: inherit; padding: 5px 9px; border: 1px solid #c5ccd8; border-radius: 5px; min-width: 260px; }
.toolbar button { font: inherit; padding: 4px 10px; border: 1px solid #c5ccd8; border-radius: 5px; background: #fff; cursor: pointer; }
.toolbar button:hover { background: #eef3fb; }
.toolbar .status { color: var(--muted); font-size: 12.5px; }
.toolbar .status b { color: var(--match); }
.crumbs { display: flex; flex-wrap: wrap; gap: 2px; align-items: center; min-height: 24px; margin-bottom: 6px; font-size: 12.5px; }
.crumbs button { font: inherit; border: 0; background: none; color: var(--accent); cursor: pointer; padding: 1px 3px; }
.crumbs button:hover { text-decoration: underline; }
.crumbs span.sep { color: #9aa5b5; }
.crumbs span.current { font-weight: 600; padding: 1px 3px; }
.flame-wrap { position: relative; border: 1px solid var(--line); border-radius: 4px; overflow: auto; max-height: 640px; }
.flame-wrap canvas { display: block; cursor: pointer; }
.tooltip { position: fixed; pointer-events: none; z-index: 10; background: #18202e; color: #fff; padding: 7px 9px; border-radius: 5px; font-size: 12px; max-width: 520px; box-shadow: 0 3px 12px rgba(0,0,0,.25); display: none; }
.tooltip .fn { font-weight: 600; word-break: break-all; }
.tooltip .loc { color: #aeb8c8; font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.tooltip table { border-collapse: collapse; margin-top: 4px; }
.tooltip td { padding: 0 10px 0 0; font-variant-numeric: tabular-nums; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin-top: 8px; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th { text-align: left; font-weight: 600; border-bottom: 2px solid var(--line); padding: 5px 8px; cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0; background: #fff; }
table.data th.num, table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data th[aria-sort=ascending]::after { content: " \\25B2"; font-size: 10px; }
table.data th[aria-sort=descending]::after { content: " \\25BC"; font-size: 10px; }
table.data td { border-bottom: 1px solid #edf0f4; padding: 4px 8px; vertical-align: top; }
table.data td.where { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); word-break: break-all; }
table.data td.fn { font-weight: 500; word-break: break-all; }
table.data tr:hover td { background: #f4f7fc; }
table.data td .bar { height: 3px; background: #f08c3c; border-radius: 2px; margin-top: 2px; }
.table-wrap { max-height: 560px; overflow: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px; }
.chart svg { width: 100%; height: auto; display: block; }
.chart .axis text { fill: var(--muted); font-size: 11px; }
.chart .grid line { stroke: #edf0f4; }
.chart .legend-line { font-size: 12px; fill: var(--fg); }
.empty { color: var(--muted); font-style: italic; }
`;

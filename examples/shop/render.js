const PER_PAGE = 40;

export function renderPage(catalogue, page) {
  const start = (page * PER_PAGE) % catalogue.length;
  const rows = catalogue.slice(start, start + PER_PAGE).map(renderRow);
  return `<table>${rows.join('')}</table>`;
}

const renderRow = (item) => `<tr><td>${escapeHtml(item.name)}</td><td>${item.price.toFixed(2)}</td><td>${item.tags.join(', ')}</td></tr>`;

function escapeHtml(text) {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
}

/**
 * handlebars (template engine), loaded as CommonJS (lib/index.js and its modules through require):
 * compiles a set of templates (parser, compiler, code generation with source-map's SourceNode) in a
 * fresh environment, then renders them over generated data with block helpers, partials and custom
 * helpers. Checksum: a hash of every rendered output.
 */
import Handlebars from 'handlebars';
import { FNV_OFFSET, hashString, random, run, scaleArgument, words } from './common.js';

const templates = {
  page: `<html><head><title>{{title}}</title></head><body>
{{> header}}
{{#each sections}}
  <section id="s{{@index}}" class="{{#if @first}}first{{/if}} {{#if @last}}last{{/if}}">
    <h2>{{upper title}}</h2>
    {{#each items}}
      {{> item this currency=../../currency}}
    {{else}}
      <p>empty</p>
    {{/each}}
    {{#with summary}}<p>{{count}} items, {{money total ../../currency}}</p>{{/with}}
  </section>
{{/each}}
{{> footer}}
</body></html>`,
  header: `<header><h1>{{title}}</h1>{{#if user}}<span>{{user.name}} ({{user.email}})</span>{{else}}<a href="/login">log in</a>{{/if}}</header>`,
  item: `<div class="item{{#if featured}} featured{{/if}}"><a href="/p/{{id}}">{{name}}</a> {{money price currency}}
{{#each tags}}<span class="tag">{{this}}</span>{{/each}}{{#unless inStock}}<em>sold out</em>{{/unless}}
<p>{{{description}}}</p></div>`,
  footer: `<footer>{{#each links}}<a href="{{url}}">{{label}}</a>{{#unless @last}} | {{/unless}}{{/each}} &copy; {{year}}</footer>`,
};

function data(seed) {
  const rand = random(seed);
  const sections = [];
  for (let s = 0; s < 8; s++) {
    const items = [];
    const count = 4 + Math.floor(rand() * 8);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const price = Math.floor(rand() * 100000) / 100;
      total += price;
      items.push({
        id: `${seed}-${s}-${i}`,
        name: words(rand, 3),
        price,
        featured: rand() < 0.2,
        inStock: rand() < 0.8,
        tags: words(rand, 1 + Math.floor(rand() * 4)).split(' '),
        description: `<b>${words(rand, 4)}</b> & ${words(rand, 6)}`,
      });
    }
    sections.push({ title: words(rand, 2), items: s === 5 ? [] : items, summary: { count, total } });
  }
  return {
    title: `Catalogue <${seed}>`,
    user: seed % 2 ? { name: words(rand, 2), email: 'someone@example.com' } : null,
    sections,
    currency: seed % 3 ? 'EUR' : 'USD',
    links: [1, 2, 3, 4].map((n) => ({ url: `/l/${n}`, label: words(rand, 1) })),
    year: 2026,
  };
}

function environment() {
  const hb = Handlebars.create();
  hb.registerHelper('upper', (text) => String(text).toUpperCase());
  hb.registerHelper('money', (value, currency) => `${Number(value).toFixed(2)} ${currency}`);
  for (const name of ['header', 'item', 'footer']) hb.registerPartial(name, templates[name]);
  return hb;
}

const scale = scaleArgument();
const contexts = [1, 2, 3, 4, 5, 6].map(data);
const compileRounds = Math.max(1, Math.round(300 * scale));
const renderRounds = Math.max(1, Math.round(250 * scale));

run('handlebars', scale, () => {
  let hash = FNV_OFFSET;
  let bytes = 0;
  // Compiling: parser (a Jison grammar), visitor, compiler and JavaScript code generation.
  for (let round = 0; round < compileRounds; round++) {
    const hb = environment();
    const page = hb.compile(templates.page);
    const html = page(contexts[round % contexts.length]);
    bytes += html.length;
    if (round < contexts.length) hash = hashString(hash, html);
  }
  // Rendering with compiled templates: the runtime's helpers, partials and escaping.
  const hb = environment();
  const page = hb.compile(templates.page);
  for (let round = 0; round < renderRounds; round++) {
    for (const context of contexts) bytes += page(context).length;
  }
  return `${bytes}:${hash.toString(16)}`;
});

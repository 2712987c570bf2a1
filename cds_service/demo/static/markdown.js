// A small CommonMark-subset renderer for CDS card details, shipped with the service (no CDN,
// no network). It escapes all HTML first, then renders what the cards use: paragraphs,
// headings, bullet and numbered lists, pipe tables, **bold**, *italic* / _italic_, `code`,
// [links](http(s) URLs) and backslash escapes. Links are http(s) only and open in a new tab.
"use strict";

const HER2Markdown = (() => {
  const ESCAPABLE = /\\([\\`*_{}\[\]()#+\-.!|<>~])/g;

  function escapeHtml(text) {
    return text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  // Backslash escapes become private placeholders so later rules leave them alone.
  function protect(text, store) {
    return text.replace(ESCAPABLE, (_, ch) => {
      store.push(ch);
      return `\u0000${store.length - 1}\u0000`;
    });
  }

  function restore(html, store) {
    return html.replace(/\u0000(\d+)\u0000/g, (_, i) => escapeHtml(store[Number(i)]));
  }

  function safeUrl(url) {
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function inline(text) {
    const store = [];
    let html = escapeHtml(protect(text, store));
    const codes = [];
    html = html.replace(/`([^`]+)`/g, (_, code) => {
      codes.push(code);
      return `\u0001${codes.length - 1}\u0001`;
    });
    html = html.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label, url) => {
      const href = safeUrl(restore(url, store).replace(/&amp;/g, "&"));
      if (!href) return label;
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
    });
    html = html.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
    html = html.replace(/(^|[^\w*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
    html = html.replace(/(^|[^\w])_([^_\s][^_]*)_(?!\w)/g, "$1<em>$2</em>");
    html = html.replace(/\u0001(\d+)\u0001/g, (_, i) => `<code>${codes[Number(i)]}</code>`);
    return restore(html, store);
  }

  function splitRow(line) {
    const cells = [];
    let cell = "";
    const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
    for (let i = 0; i < body.length; i += 1) {
      if (body[i] === "\\" && i + 1 < body.length) {
        cell += body[i] + body[i + 1];
        i += 1;
      } else if (body[i] === "|") {
        cells.push(cell.trim());
        cell = "";
      } else {
        cell += body[i];
      }
    }
    cells.push(cell.trim());
    return cells;
  }

  function table(lines) {
    const head = splitRow(lines[0]).map((c) => `<th>${inline(c)}</th>`).join("");
    const rows = lines
      .slice(2)
      .map((l) => `<tr>${splitRow(l).map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`)
      .join("");
    return `<table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  }

  function list(lines, ordered) {
    const tag = ordered ? "ol" : "ul";
    const marker = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
    const items = [];
    for (const line of lines) {
      if (marker.test(line)) items.push(line.replace(marker, ""));
      else if (items.length) items[items.length - 1] += " " + line.trim();
    }
    return `<${tag}>${items.map((i) => `<li>${inline(i)}</li>`).join("")}</${tag}>`;
  }

  function block(lines) {
    const first = lines[0];
    const heading = /^(#{1,6})\s+(.*)$/.exec(first);
    if (heading && lines.length === 1) {
      const level = Math.min(heading[1].length + 2, 6);
      return `<h${level}>${inline(heading[2])}</h${level}>`;
    }
    if (lines.length >= 2 && /^\s*\|/.test(first) && /^\s*\|?\s*:?-{3,}/.test(lines[1])) {
      return table(lines);
    }
    if (/^\s*[-*+]\s+/.test(first)) return list(lines, false);
    if (/^\s*\d+[.)]\s+/.test(first)) return list(lines, true);
    return `<p>${lines.map(inline).join("<br>")}</p>`;
  }

  function render(markdown) {
    const blocks = [];
    let current = [];
    for (const line of String(markdown || "").split(/\r?\n/)) {
      if (line.trim() === "") {
        if (current.length) blocks.push(current);
        current = [];
      } else {
        current.push(line);
      }
    }
    if (current.length) blocks.push(current);
    return blocks.map(block).join("\n");
  }

  return { render, escapeHtml };
})();

#!/usr/bin/env node
// The desktop app's renderer as the fidelity tests' oracle: xterm.js 6
// (@xterm/headless) with the Unicode 11 widths the app loads
// (@xterm/addon-unicode11), both pinned by package-lock.json.
//
// Reads requests on stdin, one JSON object a line, and answers each with one
// line:
//   {"cols":80,"rows":24,"scrollback":1000,"streams":["<base64>", ...]}
//     (a stream may also be a list of {"b":"<base64>"} and {"resize":[cols,rows]})
//     -> {"diffs":[...]}: each stream after the first rendered into a fresh
//        terminal and compared with the first; [] when every one shows the
//        same thing (at most 20 differences, in words).
//   {"cols":80,"rows":24,"scrollback":1000,"render":"<base64>"}
//     -> {"state":{...}}: what the terminal shows, for a person to read.
//
// "The same thing" is what a user can observe: every cell of both buffers
// (character, width, colours, attributes, underline style and colour, link),
// each line's wrapped flag, the cursor (position, pending wrap, visibility,
// style), the modes, the title, the scroll region, the tab stops, the saved
// cursor, the pen the next characters get and the character sets. xterm.js keeps some of that only in its
// internals (`_core`); the pinned version makes reading them stable.

'use strict';

const readline = require('readline');
const { Terminal } = require('@xterm/headless');
const { Unicode11Addon } = require('@xterm/addon-unicode11');

// `parts`: the bytes to write, or a list of {b: <base64>} and {resize: [cols, rows]}
// done in order (a resize once what was written before it is parsed).
function render(cols, rows, scrollback, parts) {
  const term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  let title = '';
  term.onTitleChange((t) => {
    title = t;
  });
  const steps = Buffer.isBuffer(parts) ? [{ bytes: parts }] : parts;
  const write = (bytes) => new Promise((resolve) => term.write(bytes, resolve));
  return (async () => {
    for (const step of steps) {
      if (step.resize) term.resize(step.resize[0], step.resize[1]);
      else await write(step.bytes);
    }
    const state = describe(term, title);
    term.dispose();
    return state;
  })();
}

function decodeStream(s) {
  if (typeof s === 'string') return Buffer.from(s, 'base64');
  return s.map((p) => (p.resize ? { resize: p.resize } : { bytes: Buffer.from(p.b, 'base64') }));
}

// A cell as a user sees it: its character and width, its colours (mode and
// value: a 16-colour index and the same index from 256 are drawn apart),
// each attribute, the underline's style and colour (only where it has one)
// and its link. Not xterm.js's words themselves, which keep bits nothing
// shows (an RGB value under a palette colour, "has extended attributes").
function cellKey(core, cell) {
  let chars = cell.getChars();
  const width = cell.getWidth();
  if (chars === '' && width === 1) chars = ' '; // erased or never written: a blank either way
  const colour = (mode, value) => (mode === 0 ? 'd' : `${mode >> 24}:${value}`);
  const flags = flagsOf(cell).join('');
  const style = cell.isUnderline() ? cell.getUnderlineStyle() : 0;
  let underline = `u${style}`;
  if (style !== 0 && !cell.isUnderlineColorDefault())
    underline += `c${colour(cell.getUnderlineColorMode(), cell.getUnderlineColor())}`;
  const url =
    cell.hasExtendedAttrs() && cell.extended.urlId
      ? (core._oscLinkService.getLinkData(cell.extended.urlId) || {}).uri || ''
      : '';
  const key = [
    chars,
    width,
    colour(cell.getFgColorMode(), cell.getFgColor()),
    colour(cell.getBgColorMode(), cell.getBgColor()),
    flags,
    underline,
    url,
  ].join('\u0001');
  return { chars, key };
}

function describeBuffer(core, buffer, cols) {
  const lines = [];
  // A cell of our own to load into (the null cell is shared).
  const cell = new (buffer.getNullCell().constructor)();
  for (let y = 0; y < buffer.lines.length; ++y) {
    const line = buffer.lines.get(y);
    let text = '';
    const keys = [];
    for (let x = 0; x < cols; ++x) {
      line.loadCell(x, cell);
      const k = cellKey(core, cell);
      text += k.chars;
      keys.push(k.key);
    }
    lines.push({ text: text.replace(/ +$/, ''), wrapped: !!line.isWrapped, cells: keys });
  }
  return lines;
}

// The attributes of a cell or a pen that are on, one letter each.
function flagsOf(a) {
  return [
    a.isBold() ? 'b' : '',
    a.isDim() ? 'f' : '',
    a.isItalic() ? 'i' : '',
    a.isBlink() ? 'k' : '',
    a.isInverse() ? 'r' : '',
    a.isInvisible() ? 'h' : '',
    a.isStrikethrough() ? 's' : '',
    a.isOverline() ? 'o' : '',
  ];
}

// The saved pen as the next characters would show it.
function savedPen(attrs) {
  const colour = (mode, value) => (mode === 0 ? 'd' : `${mode >> 24}:${value}`);
  return [
    colour(attrs.getFgColorMode(), attrs.getFgColor()),
    colour(attrs.getBgColorMode(), attrs.getBgColor()),
    attrs.isUnderline() ? 'u' : '',
    ...flagsOf(attrs),
  ].join(' ');
}

function penOf(core, attrs) {
  const style = attrs.isUnderline() ? attrs.getUnderlineStyle() : 0;
  const urlId = attrs.extended && attrs.extended.urlId;
  const url = urlId ? (core._oscLinkService.getLinkData(urlId) || {}).uri || '' : '';
  const colour =
    style !== 0 && !attrs.isUnderlineColorDefault()
      ? ` c${attrs.getUnderlineColorMode() >> 24}:${attrs.getUnderlineColor()}`
      : '';
  return `${savedPen(attrs)} u${style}${colour} ${url}`;
}

function describe(term, title) {
  const core = term._core;
  const buffer = core.buffer;
  const modes = Object.assign({}, core.coreService.decPrivateModes);
  const cursor = {
    x: buffer.x,
    y: buffer.y,
    hidden: !!core.coreService.isCursorHidden,
    style: modes.cursorStyle || 'default',
    blink: modes.cursorBlink === undefined ? 'default' : !!modes.cursorBlink,
  };
  delete modes.cursorStyle;
  delete modes.cursorBlink;
  modes.insert = !!core.coreService.modes.insertMode;
  modes.mouseProtocol = core.coreMouseService.activeProtocol;
  modes.mouseEncoding = core.coreMouseService.activeEncoding;
  const tabs = Object.keys(buffer.tabs)
    .map(Number)
    .filter((x) => x < term.cols)
    .sort((a, b) => a - b);
  const charsets = core._charsetService;
  const charsetName = (c) => (c ? JSON.stringify(c).slice(0, 40) : 'ascii');
  const saved = buffer.savedCurAttrData;
  const alternate = buffer === core.buffers.alt;
  return {
    title,
    screen: alternate ? 'alternate' : 'normal',
    cursor,
    modes,
    scrollRegion: [buffer.scrollTop, buffer.scrollBottom],
    tabs: tabs.join(','),
    // Where ESC 8 puts the cursor now (xterm.js keeps the row counted from
    // the top of the scrollback: one scrolled off restores to the top row).
    saved: `${buffer.savedX},${Math.max(buffer.savedY - buffer.ybase, 0)} ${savedPen(saved)}`,
    // The pen the next characters get, with its underline style and link.
    pen: penOf(core, core._inputHandler.getAttrData()),
    savedCharset: charsetName(buffer.savedCharset),
    charsets: [0, 1, 2, 3].map((g) => charsetName(charsets._charsets[g])).join(' | '),
    glevel: charsets.glevel,
    normal: describeBuffer(core, core.buffers.normal, term.cols),
    alternate: alternate ? describeBuffer(core, core.buffers.alt, term.cols) : [],
  };
}

function compareLines(what, a, b, diffs) {
  if (a.length !== b.length)
    diffs.push(`${what}: ${a.length} lines, the other ${b.length}`);
  // Aligned at the bottom: the screen is the last rows of each.
  const n = Math.min(a.length, b.length);
  for (let i = 1; i <= n && diffs.length < 20; ++i) {
    const la = a[a.length - i];
    const lb = b[b.length - i];
    const row = `${what} line ${a.length - i} (${i} from the bottom)`;
    if (la.text !== lb.text) {
      diffs.push(`${row}: ${JSON.stringify(la.text)} vs ${JSON.stringify(lb.text)}`);
      continue;
    }
    if (la.wrapped !== lb.wrapped)
      diffs.push(`${row}: wrapped ${la.wrapped} vs ${lb.wrapped}: ${JSON.stringify(la.text)}`);
    for (let x = 0; x < la.cells.length; ++x) {
      if (la.cells[x] !== lb.cells[x]) {
        diffs.push(
          `${row} column ${x}: ${JSON.stringify(la.cells[x])} vs ${JSON.stringify(lb.cells[x])}`
        );
        break;
      }
    }
  }
}

function compare(a, b) {
  const diffs = [];
  for (const key of ['title', 'screen', 'scrollRegion', 'tabs', 'saved', 'pen', 'savedCharset', 'charsets', 'glevel']) {
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(b[key]);
    if (x !== y) diffs.push(`${key}: ${x} vs ${y}`);
  }
  for (const group of ['cursor', 'modes']) {
    for (const key of Object.keys(a[group])) {
      const x = JSON.stringify(a[group][key]);
      const y = JSON.stringify(b[group][key]);
      if (x !== y) diffs.push(`${group}.${key}: ${x} vs ${y}`);
    }
  }
  compareLines('normal', a.normal, b.normal, diffs);
  compareLines('alternate', a.alternate, b.alternate, diffs);
  return diffs.slice(0, 20);
}

async function answer(request) {
  const { cols, rows } = request;
  const scrollback = request.scrollback === undefined ? 1000 : request.scrollback;
  if (request.render !== undefined) {
    const state = await render(cols, rows, scrollback, decodeStream(request.render));
    for (const lines of [state.normal, state.alternate])
      for (const line of lines) delete line.cells;
    return { state };
  }
  const states = [];
  for (const s of request.streams)
    states.push(await render(cols, rows, scrollback, decodeStream(s)));
  const diffs = [];
  for (let i = 1; i < states.length; ++i)
    for (const d of compare(states[0], states[i])) diffs.push(states.length > 2 ? `stream ${i}: ${d}` : d);
  return { diffs };
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let out;
    try {
      out = await answer(JSON.parse(line));
    } catch (e) {
      out = { error: String(e && e.stack ? e.stack : e) };
    }
    process.stdout.write(JSON.stringify(out) + '\n');
  }
}

main();

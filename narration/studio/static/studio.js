// narration studio: the read-along page and its editing. No framework; talks to /studio/api/.
"use strict";

const $ = (id) => document.getElementById(id);
const player = $("player");
const state = {
  view: null,        // the chapter shown (from api/chapter/<slug>)
  sentences: [],     // {el, start, end} in reading order, for the highlight
  current: -1,       // index of the highlighted sentence
  selected: null,    // {block, index, el} the sentence clicked
  stopAt: null,      // end of a sentence played on its own
  waiting: 0,        // generation an edit of ours waits for
  editing: null,     // {block, sentence} being edited
};

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const response = await fetch("api/" + path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {error: response.statusText}; }
  return {ok: response.ok, status: response.status, data};
}

function setStatus(text, kind, generation) {
  const el = $("status");
  el.textContent = text;
  el.dataset.state = kind;
  if (generation !== undefined) el.dataset.generation = String(generation);
}

function showError(message) {
  const el = $("error");
  el.hidden = !message;
  el.textContent = message || "";
}

function note(text) {
  const item = document.createElement("li");
  item.textContent = new Date().toLocaleTimeString() + " " + text;
  $("log").prepend(item);
  while ($("log").children.length > 30) $("log").lastChild.remove();
}

// --- the chapter -------------------------------------------------------------------------------

async function loadBook() {
  const {ok, data} = await api("book");
  if (!ok || !data.chapters.length) return false;
  const select = $("chapter");
  const chosen = select.value || location.hash.slice(1);
  select.replaceChildren(...data.chapters.map((c) => new Option(`${c.number}. ${c.title}`, c.slug)));
  select.value = data.chapters.some((c) => c.slug === chosen) ? chosen : data.chapters[0].slug;
  $("book-title").textContent = data.title;
  return true;
}

async function loadChapter(keepPosition) {
  const slug = $("chapter").value;
  if (!slug) return;
  const {ok, data} = await api("chapter/" + encodeURIComponent(slug));
  if (!ok) { showError(data.error); return; }
  const before = state.view;
  state.view = data;
  render(data);
  const source = "../" + data.episode;
  if (!before || before.slug !== data.slug || !player.src.endsWith(data.episode)) {
    reloadAudio(source, keepPosition && before && before.slug === data.slug);
  }
  document.body.dataset.version = data.version;
}

function reloadAudio(source, keepPosition) {
  const position = player.currentTime;
  const playing = !player.paused;
  player.src = source;
  if (keepPosition) {
    player.addEventListener("loadedmetadata", () => {
      player.currentTime = Math.min(position, player.duration || position);
      if (playing) player.play().catch(() => {});
    }, {once: true});
  }
  player.load();
}

function render(view) {
  const article = $("transcript");
  const blocks = [];
  state.sentences = [];
  state.current = -1;
  const counts = new Map();
  for (const block of view.blocks) {
    const tag = block.kind === "title" ? "h2" : block.kind === "heading" ? "h3" : "p";
    const el = document.createElement(tag);
    el.className = "block";
    el.dataset.id = block.id;
    el.dataset.kind = block.kind;
    counts.clear();
    block.sentences.forEach((sentence, index) => {
      const span = document.createElement("span");
      span.className = "sentence";
      span.textContent = sentence.text;
      span.dataset.index = String(index);
      const seen = counts.get(sentence.text) || 0;
      counts.set(sentence.text, seen + 1);
      span.dataset.occurrence = String(seen);
      if (sentence.start !== null) {
        span.dataset.start = String(sentence.start);
        span.dataset.end = String(sentence.end);
        state.sentences.push({el: span, start: sentence.start, end: sentence.end});
      }
      span.addEventListener("click", () => select(block, index, span));
      el.append(span, " ");
    });
    if (!block.sentences.length) el.textContent = block.text;
    blocks.push(el);
  }
  article.replaceChildren(...blocks);
  $("actions").hidden = true;
  state.selected = null;
  highlight();
}

// --- the highlight ------------------------------------------------------------------------------

function sentenceAt(time) {
  let low = 0, high = state.sentences.length - 1, found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (state.sentences[mid].start <= time) { found = mid; low = mid + 1; } else high = mid - 1;
  }
  return found;  // in the pause after a sentence, it stays lit until the next one starts
}

function highlight() {
  const time = player.currentTime;
  if (state.stopAt !== null && time >= state.stopAt) {
    player.pause();
    state.stopAt = null;
  }
  const index = sentenceAt(time);
  if (index === state.current) return;
  if (state.current >= 0 && state.sentences[state.current]) state.sentences[state.current].el.classList.remove("current");
  state.current = index;
  if (index >= 0) {
    const el = state.sentences[index].el;
    el.classList.add("current");
    if (!player.paused) el.scrollIntoView({block: "nearest"});
  }
}

function tick() {
  highlight();
  if (!player.paused) requestAnimationFrame(tick);
}

player.addEventListener("play", () => requestAnimationFrame(tick));
player.addEventListener("timeupdate", highlight);
player.addEventListener("seeked", highlight);

// --- selecting, playing and editing --------------------------------------------------------------

function select(block, index, el) {
  if (state.selected) state.selected.el.classList.remove("selected");
  state.selected = {block, index, el};
  el.classList.add("selected");
  $("actions").hidden = false;
  if (el.dataset.start !== undefined) {
    player.currentTime = Number(el.dataset.start) + 0.001;
    highlight();
  }
}

$("play-sentence").addEventListener("click", () => {
  const el = state.selected && state.selected.el;
  if (!el || el.dataset.start === undefined) return;
  player.currentTime = Number(el.dataset.start) + 0.001;
  state.stopAt = Number(el.dataset.end);
  player.play().catch(() => {});
});

function openEditor(whole) {
  const {block, index, el} = state.selected;
  state.editing = whole ? {block, sentence: null} : {
    block, sentence: {text: block.sentences[index].text, occurrence: Number(el.dataset.occurrence)},
  };
  $("edit-label").textContent = whole ? `Edit the ${block.kind}` : "Edit the sentence";
  $("edit-text").value = whole ? block.text : block.sentences[index].text;
  $("editor").hidden = false;
  $("lexicon").hidden = true;
  $("edit-text").focus();
}

$("edit-sentence").addEventListener("click", () => state.selected && openEditor(false));
$("edit-block").addEventListener("click", () => state.selected && openEditor(true));
$("edit-cancel").addEventListener("click", () => { $("editor").hidden = true; state.editing = null; });

$("editor").addEventListener("submit", async (event) => {
  event.preventDefault();
  const editing = state.editing;
  if (!editing || !state.view) return;
  if (editing.block.kind === "title") {
    note("the chapter title is edited in the script itself");
    return;
  }
  const body = {
    file: state.view.file, version: state.view.version, section: editing.block.id,
    text: $("edit-text").value, sentence: editing.sentence,
  };
  const {ok, status, data} = await api("edit", body);
  if (status === 409) {
    note("the script changed on disk since this page loaded it: reloaded, nothing was overwritten");
    $("editor").hidden = true;
    await loadChapter(true);
    return;
  }
  if (!ok) { showError(data.error); return; }
  $("editor").hidden = true;
  state.editing = null;
  state.waiting = data.generation;
  document.body.dataset.saved = String(data.generation);
  setStatus("saved; rebuilding…", "building");
  note(`saved ${body.file}`);
});

$("add-word").addEventListener("click", () => {
  const selection = String(window.getSelection() || "").trim();
  $("lex-word").value = selection.split(/\s+/).length <= 3 ? selection : "";
  $("lex-say").value = "";
  $("lexicon").hidden = false;
  $("editor").hidden = true;
  $("lex-word").focus();
});
$("lex-cancel").addEventListener("click", () => { $("lexicon").hidden = true; });
$("lexicon").addEventListener("submit", async (event) => {
  event.preventDefault();
  const {ok, data} = await api("lexicon", {word: $("lex-word").value, say: $("lex-say").value});
  if (!ok) { showError(data.error); return; }
  $("lexicon").hidden = true;
  state.waiting = data.generation;
  setStatus("saved; rebuilding…", "building");
  note(`lexicon: ${$("lex-word").value} = ${$("lex-say").value}`);
});

$("chapter").addEventListener("change", () => {
  location.hash = $("chapter").value;
  loadChapter(false);
});

// --- what the server says ------------------------------------------------------------------------

async function onEvent(event) {
  if (event.kind === "status") {
    if (event.error) { showError(event.error); setStatus("error", "failed", event.built); }
    else if (event.building || !event.good) setStatus("building…", "building", event.built);
    else setStatus("up to date", "idle", event.built);
    if (event.good && !state.view && await loadBook()) await loadChapter(false);
    return;
  }
  if (event.kind === "building") setStatus("rebuilding…", "building");
  else if (event.kind === "progress") { setStatus(event.message, "building"); note(event.message); }
  else if (event.kind === "failed") {
    setStatus("error (last good outputs kept)", "failed", event.generation);
    showError(event.message);
    note("error: " + event.message);
  } else if (event.kind === "built") {
    showError("");
    note(event.message);
    if (await loadBook()) await loadChapter(true);
    setStatus("up to date", "idle", event.generation);
  }
}

function connect() {
  const source = new EventSource("api/events");
  source.onmessage = (message) => onEvent(JSON.parse(message.data));
  source.onerror = () => setStatus("reconnecting…", "building");
}

connect();

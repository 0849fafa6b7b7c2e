// The live server console: an xterm.js terminal fed straight from the dashboard hub (/hubs/dashboard), not through Blazor
// render diffs, so a busy server costs one terminal write per batch and nothing on the circuit.
// Imported by Components/Servers/ServerConsole.razor: mount(root, options) returns a handle whose dispose() closes it all.
// Components/Jobs/JobConsole.razor mounts the same console for a job's log (options.jobName): hub method SubscribeJobLog.
//
// Resume rule: every line has a per-server seq. We remember the last one written and, after any break (the hub connection
// reconnected, or the stream itself ended), subscribe again with afterSeq = lastSeq: the hub sends exactly the lines after
// it (or a gap marker when they are gone), so the terminal shows no duplicates and no silent gaps.

const RETRY_DELAYS_MS = [0, 1000, 2000, 5000, 10000, 15000];
const STREAM_RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10000];
const PERMANENT_RETRY_MS = 15000;
const SCROLLBACK_LINES = 10000;

// ANSI: a dim source prefix for extra log files, an italic colour for the dashboard's own marker lines.
// RCON commands and replies (source "rcon") get a coloured prefix: they are the dashboard's echo, not the server's output.
const DIM = '\x1b[0;2m', MARKER = '\x1b[0;3;36m', REPLY = '\x1b[0;1;35m', RESET = '\x1b[0m';

// A dark terminal in both page themes: game-panel users expect one, and ANSI colours are chosen for it.
const THEME = {
    background: '#0d1117', foreground: '#e6edf3', cursor: '#0d1117', cursorAccent: '#0d1117',
    selectionBackground: '#388bfd59', selectionInactiveBackground: '#388bfd33', scrollbarSliderBackground: '#e6edf326',
    scrollbarSliderHoverBackground: '#e6edf340', scrollbarSliderActiveBackground: '#e6edf359',
    black: '#484f58', red: '#ff7b72', green: '#3fb950', yellow: '#d29922', blue: '#58a6ff', magenta: '#bc8cff', cyan: '#39c5cf', white: '#b1bac4',
    brightBlack: '#6e7681', brightRed: '#ffa198', brightGreen: '#56d364', brightYellow: '#e3b341', brightBlue: '#79c0ff', brightMagenta: '#d2a8ff', brightCyan: '#56d4dd', brightWhite: '#ffffff',
};

const SEARCH_DECORATIONS = { matchBackground: '#bb800926', matchBorder: '#bb8009', matchOverviewRuler: '#bb8009', activeMatchBackground: '#e3b34166', activeMatchBorder: '#e3b341', activeMatchColorOverviewRuler: '#e3b341' };

// ---- vendored libraries (UMD builds under wwwroot/lib: globals Terminal, FitAddon.FitAddon, SearchAddon.SearchAddon, signalR)

let assets = null;

function libUrl(path) {
  return new URL(path, document.baseURI).href;
}

function loadScript(path, global) {
  if (window[global]) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = libUrl(path);
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`Could not load ${path}`));
    document.head.appendChild(script);
  });
}

function loadStyle(path) {
  const href = libUrl(path);
  if ([...document.styleSheets].some(s => s.href === href)) {
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`Could not load ${path}`));
    document.head.appendChild(link);
  });
}

// Loaded on first use, once per page: only the server page pays for ~400 KB of terminal.
function loadAssets() {
  assets ??= Promise.all([
    loadStyle('lib/xterm/xterm.css'),
    loadScript('lib/xterm/xterm.js', 'Terminal'),
    loadScript('lib/xterm-addon-fit/addon-fit.js', 'FitAddon'),
    loadScript('lib/xterm-addon-search/addon-search.js', 'SearchAddon'),
    loadScript('lib/signalr/signalr.min.js', 'signalR'),
  ]).catch(error => {
    assets = null; // let the next mount try again
    throw error;
  });
  return assets;
}

// ---- helpers


/** One log line as terminal text: console output passes through untouched (ANSI colours included). */
function formatLine(line) {
  const text = String(line.text ?? '').replace(/\r?\n/g, '\r\n');
  if (line.source === 'dashboard') {
    return `${MARKER}-- ${text} --${RESET}`;
  }
  if (line.source === 'rcon') {
    return `${REPLY}[rcon]${RESET} ${text}${RESET}`;
  }
  if (line.source && line.source !== 'console') {
    return `${DIM}[${line.source}]${RESET} ${text}${RESET}`;
  }
  return text;
}

/** The terminal's text, wrapped rows joined back into lines: what tests read instead of pixels. */
function bufferText(term) {
  const buffer = term.buffer.active;
  const lines = [];
  for (let i = 0; i < buffer.length; i++) {
    const row = buffer.getLine(i);
    if (!row) {
      continue;
    }
    const text = row.translateToString(true);
    if (row.isWrapped && lines.length > 0) {
      lines[lines.length - 1] += text;
    } else {
      lines.push(text);
    }
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines.join('\n');
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP dashboards (not localhost) have no clipboard API: fall back to the old selection copy.
  const area = document.createElement('textarea');
  area.value = text;
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

// ---- the console

export async function mount(root, options) {
  await loadAssets();
  const serverId = options.serverId;
  const jobName = options.jobName ?? null;
  const [streamMethod, streamKey] = jobName ? ['SubscribeJobLog', jobName] : ['SubscribeLogs', serverId];
  const find = testId => root.querySelector(`[data-testid="${testId}"]`);
  const host = root.querySelector('.console-terminal');
  const stateBadge = find('console-state');
  const stateLabel = stateBadge.querySelector('.console-state-label');
  const jumpLive = find('console-jump-live');
  const searchInput = find('console-search');
  const searchCount = root.querySelector('.console-search-count');

  const term = new window.Terminal({
    allowProposedApi: true, // search decorations
    convertEol: false,
    cursorBlink: false,
    cursorInactiveStyle: 'none',
    cursorStyle: 'bar',
    disableStdin: true, // read-only: commands go through RCON/stdin elsewhere, never through this terminal
    fontFamily: 'ui-monospace, SFMono-Regular, "JetBrains Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
    fontSize: 13,
    lineHeight: 1.25,
    scrollback: SCROLLBACK_LINES,
    theme: THEME,
  });
  const fit = new window.FitAddon.FitAddon();
  const search = new window.SearchAddon.SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.open(host);
  fit.fit();

  const disposables = [];
  const listen = (element, event, handler) => {
    element.addEventListener(event, handler);
    disposables.push(() => element.removeEventListener(event, handler));
  };
  const track = disposable => disposables.push(() => disposable.dispose());

  // ---- state shown in the toolbar

  let state = 'connecting';
  function setState(next, label, detail) {
    state = next;
    stateBadge.dataset.state = next;
    stateLabel.textContent = label;
    stateBadge.title = detail ?? label;
  }

  // ---- live follow: xterm keeps the viewport still while the user has scrolled up; we offer the way back.

  let unseen = 0;
  const atBottom = () => term.buffer.active.viewportY >= term.buffer.active.baseY;
  function updateFollow() {
    const following = atBottom();
    if (following) {
      unseen = 0;
    }
    root.dataset.follow = following ? 'live' : 'paused';
    jumpLive.querySelector('.console-jump-count').textContent = unseen > 0 ? ` · ${unseen} new` : '';
  }
  track(term.onScroll(updateFollow));
  listen(host, 'wheel', () => requestAnimationFrame(updateFollow));
  listen(jumpLive, 'click', () => {
    term.scrollToBottom();
    updateFollow();
    term.focus();
  });

  // ---- writing batches

  let lastSeq = options.afterSeq ?? null;
  let written = 0;
  function write(batch) {
    let out = '';
    let count = 0;
    for (const line of batch) {
      // Belt and braces: a resume already starts after lastSeq; markers may repeat a seq, so they always show.
      if (lastSeq !== null && line.seq <= lastSeq && line.source !== 'dashboard') {
        continue;
      }
      lastSeq = lastSeq === null ? line.seq : Math.max(lastSeq, line.seq);
      out += formatLine(line) + '\r\n';
      count++;
    }
    if (count === 0) {
      return;
    }
    const following = atBottom();
    written += count;
    if (!following) {
      unseen += count;
    }
    term.write(out, updateFollow);
  }

  // ---- the hub connection and the log stream

  const connection = new window.signalR.HubConnectionBuilder()
    .withUrl(libUrl(options.hubUrl ?? 'hubs/dashboard'))
    // Never give up: the default policy stops after four tries, and a dashboard restart can take longer than that.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => RETRY_DELAYS_MS[Math.min(ctx.previousRetryCount, RETRY_DELAYS_MS.length - 1)] })
    .configureLogging(window.signalR.LogLevel.Warning)
    .build();

  let disposed = false;
  let subscription = null;
  let generation = 0;
  let retryTimer = 0;
  let streamFailures = 0;
  let subscribeCount = 0;

  function subscribe() {
    if (disposed || connection.state !== window.signalR.HubConnectionState.Connected) {
      return;
    }
    generation++;
    clearTimeout(retryTimer);
    subscription?.dispose();
    const mine = generation;
    subscribeCount++;
    setState('live', 'Live', `Streaming from the dashboard (after line ${lastSeq ?? 'start'})`);
    subscription = connection.stream(streamMethod, streamKey, lastSeq).subscribe({
      next: batch => {
        if (mine === generation) {
          streamFailures = 0;
          write(batch);
        }
      },
      error: error => mine === generation && streamEnded(error),
      complete: () => mine === generation && streamEnded(null),
    });
  }

  // The stream ended while the connection may still be up (the log source failed or finished): subscribe again after a
  // pause. If the connection itself dropped, onreconnected resubscribes and this timer finds the state is not Connected.
  function streamEnded(error) {
    subscription = null;
    if (disposed) {
      return;
    }
    const message = error?.message ?? 'The log stream ended.';
    const permanent = /No server with id|No job named|Log streaming is not available|Jobs are not available/.test(message);
    const delay = permanent ? PERMANENT_RETRY_MS : STREAM_RETRY_DELAYS_MS[Math.min(streamFailures, STREAM_RETRY_DELAYS_MS.length - 1)];
    streamFailures++;
    if (permanent) {
      setState('unavailable', /not available/.test(message) ? 'Log streaming unavailable' : jobName ? 'Job not found' : 'Server not found', message);
    } else {
      setState('resuming', 'Resuming…', message);
    }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(subscribe, delay);
  }

  connection.onreconnecting(error => setState('reconnecting', 'Reconnecting…', error?.message));
  connection.onreconnected(() => subscribe());
  connection.onclose(() => {
    if (!disposed) {
      start(); // the reconnect policy never gives up, so this is a refused reconnect: keep trying, slowly
    }
  });

  async function start() {
    for (let attempt = 0; !disposed; attempt++) {
      try {
        setState(attempt === 0 ? 'connecting' : 'reconnecting', attempt === 0 ? 'Connecting…' : 'Reconnecting…');
        await connection.start();
        subscribe();
        return;
      } catch (error) {
        if (disposed) {
          return;
        }
        setState('disconnected', 'Disconnected', error?.message);
        await new Promise(resolve => setTimeout(resolve, RETRY_DELAYS_MS[Math.min(attempt + 1, RETRY_DELAYS_MS.length - 1)]));
      }
    }
  }

  // ---- search (addon-search: highlights every match, steps through them)

  const decorations = SEARCH_DECORATIONS;
  const searchOptions = incremental => ({ incremental, caseSensitive: false, decorations });
  track(search.onDidChangeResults(({ resultIndex, resultCount }) => {
    searchCount.textContent = !searchInput.value ? '' : resultCount === 0 ? 'No matches' : `${resultIndex + 1} / ${resultCount}`;
  }));
  function findNext(incremental) {
    if (searchInput.value) {
      search.findNext(searchInput.value, searchOptions(incremental));
    } else {
      search.clearDecorations();
      searchCount.textContent = '';
    }
  }
  function findPrevious() {
    if (searchInput.value) {
      search.findPrevious(searchInput.value, searchOptions(false));
    }
  }
  listen(searchInput, 'input', () => findNext(true));
  listen(searchInput, 'keydown', event => {
    if (event.key === 'Enter') {
      event.preventDefault();
      event.shiftKey ? findPrevious() : findNext(false);
    } else if (event.key === 'Escape') {
      searchInput.value = '';
      findNext(false);
      term.focus();
    }
  });
  listen(find('console-search-next'), 'click', () => findNext(false));
  listen(find('console-search-previous'), 'click', findPrevious);
  term.attachCustomKeyEventHandler(event => {
    if (event.type === 'keydown' && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'f') {
      event.preventDefault();
      searchInput.focus();
      searchInput.select();
      return false;
    }
    return true;
  });

  // ---- toolbar actions

  const copyButton = find('console-copy');
  listen(copyButton, 'click', async () => {
    const selection = term.getSelection();
    const label = copyButton.querySelector('.console-button-text') ?? copyButton;
    const before = label.textContent;
    try {
      if (!selection) {
        label.textContent = 'Select text first';
      } else {
        await copyText(selection);
        label.textContent = 'Copied';
      }
    } catch {
      label.textContent = 'Copy failed';
    }
    setTimeout(() => { label.textContent = before; }, 1500);
  });
  listen(find('console-clear'), 'click', () => {
    term.clear(); // the view only: the log and lastSeq stay, so nothing is fetched again
    search.clearDecorations();
    searchCount.textContent = '';
    unseen = 0;
    updateFollow();
  });

  // ---- size follows the page

  const resize = new ResizeObserver(() => {
    try {
      fit.fit();
    } catch {
      // hidden (zero size): the next resize fits again
    }
  });
  resize.observe(host);
  disposables.push(() => resize.disconnect());


  // ---- test hook: the terminal draws text into the DOM/canvas; tests read the buffer instead

  const api = {
    serverId,
    jobName,
    text: () => bufferText(term),
    lastSeq: () => lastSeq,
    state: () => state,
    written: () => written,
    subscribeCount: () => subscribeCount,
    connection,
  };
  if (jobName) {
    (window.__jobConsoles ??= {})[jobName] = api;
  } else {
    window.__serverConsole = api;
  }

  updateFollow();
  root.dataset.ready = 'true';
  start();

  return {
    dispose: async () => {
      disposed = true;
      clearTimeout(retryTimer);
      subscription?.dispose();
      subscription = null;
      for (const undo of disposables.reverse()) {
        undo();
      }
      if (window.__serverConsole === api) {
        delete window.__serverConsole;
      }
      if (jobName && window.__jobConsoles?.[jobName] === api) {
        delete window.__jobConsoles[jobName];
      }
      try {
        await connection.stop();
      } finally {
        term.dispose();
      }
    },
  };
}

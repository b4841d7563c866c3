'use strict';

// The chat page: Send asks the server for an answer (POST /api/chat) and follows its token
// stream with an EventSource. The stream id lives in the address (#stream=<id>), and the text so
// far with the last event id in sessionStorage, so a reload resumes right after the last token
// shown and a second tab on the same address replays the answer from its start.
(() => {
  const streamsPath = '/.well-known/herald/streams/';
  const finalStatuses = new Set(['done', 'cancelled', 'error']);
  const byId = id => document.getElementById(id);
  const form = byId('ask');
  const promptInput = byId('prompt');
  const sendButton = byId('send');
  const stopButton = byId('stop');
  const errorLine = byId('error');
  const exchange = byId('exchange');
  const questionText = byId('question');
  const answerText = byId('answer');
  const statusLine = byId('status');

  /** The answer on screen, or null: its id, what it said so far, and the EventSource reading it. */
  let current = null;
  let sending = false;

  const storageKey = id => 'herald-chat:' + id;

  function streamIdFromAddress() {
    const match = /^#stream=([A-Za-z0-9._~-]{1,128})$/.exec(location.hash);
    return match ? match[1] : null;
  }

  /** What this tab has already shown of the answer, if anything. */
  function restore(id) {
    const empty = { prompt: '', text: '', lastEventId: '', status: '', reason: '' };
    try {
      const saved = JSON.parse(sessionStorage.getItem(storageKey(id)));
      return saved && typeof saved.text === 'string' && typeof saved.lastEventId === 'string' ? { ...empty, ...saved } : empty;
    } catch {
      return empty;
    }
  }

  /** Saves the text and the id of the last event it includes together, so they always agree. */
  function save(answer) {
    const { prompt, text, lastEventId, status, reason } = answer;
    try {
      sessionStorage.setItem(storageKey(answer.id), JSON.stringify({ prompt, text, lastEventId, status, reason }));
    } catch {
      // Storage full or disabled: the answer still shows, it just cannot resume after a reload.
    }
  }

  function showError(message) {
    errorLine.textContent = message;
    errorLine.hidden = !message;
  }

  /** What the status line says, and the state it shows (data-status, which tests read). */
  function describe(answer) {
    if (finalStatuses.has(answer.status)) {
      const reason = answer.reason ? ': ' + answer.reason : '.';
      return {
        state: answer.status,
        text: { done: 'Done.', cancelled: 'Cancelled' + reason, error: 'Failed' + reason }[answer.status],
      };
    }

    if (answer.connection === 'closed') {
      return { state: 'unavailable', text: 'This answer cannot be read here (unknown, or the page\'s access expired): reload the page.' };
    }

    if (answer.connection === 'reconnecting') {
      return { state: answer.status || 'connecting', text: 'Connection lost; reconnecting\u2026' };
    }

    return answer.status === 'active'
      ? { state: 'active', text: 'Streaming\u2026' }
      : { state: 'connecting', text: 'Connecting\u2026' };
  }

  function render() {
    const answer = current;
    sendButton.disabled = sending || (answer !== null && answer.status === 'active' && answer.connection !== 'closed');
    stopButton.disabled = answer === null || answer.status !== 'active';
    exchange.hidden = answer === null;
    if (answer === null) {
      return;
    }

    questionText.textContent = answer.prompt;
    answerText.textContent = answer.text;
    const { state, text } = describe(answer);
    statusLine.dataset.status = state;
    statusLine.textContent = text;
  }

  /** Shows the answer with this id and reads the rest of it (or nothing, for null). */
  function follow(id) {
    current?.source?.close();
    current = null;
    if (id !== null) {
      current = { id, source: null, connection: 'connecting', ...restore(id) };
      if (!finalStatuses.has(current.status)) {
        read(current);
      }
    }

    render();
  }

  function read(answer) {
    // Without a last event id the hub starts at the stream's start, which replays everything.
    let url = streamsPath + encodeURIComponent(answer.id);
    if (answer.lastEventId) {
      url += '?lastEventID=' + encodeURIComponent(answer.lastEventId);
    }

    const source = new EventSource(url);
    answer.source = source;
    const handle = apply => event => {
      if (current !== answer) {
        return;
      }

      apply(event);
      answer.lastEventId = event.lastEventId;
      save(answer);
      render();
    };

    // An event without a type is a token (several, when the hub merged them for a reader that fell behind).
    source.onmessage = handle(event => {
      answer.text += event.data;
    });
    source.addEventListener('prompt', handle(event => {
      answer.prompt = event.data;
    }));
    source.addEventListener('herald-stream', handle(event => {
      const notice = JSON.parse(event.data);
      answer.status = notice.status;
      answer.reason = notice.reason ?? '';
      if (finalStatuses.has(answer.status)) {
        source.close();
      }
    }));
    source.onopen = () => {
      if (current === answer) {
        answer.connection = 'open';
        render();
      }
    };
    source.onerror = () => {
      // The browser reconnects by itself (with Last-Event-ID) unless the hub refused the stream.
      if (current === answer) {
        answer.connection = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
        render();
      }
    };
  }

  async function send() {
    const prompt = promptInput.value;
    showError('');
    sending = true;
    render();
    try {
      const response = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt }),
      });
      const body = await response.json().catch(() => null);
      if (!response.ok) {
        showError(body?.detail ?? `The server answered ${response.status}.`);
        return;
      }

      promptInput.value = '';
      location.hash = 'stream=' + body.streamId; // hashchange follows it
    } catch {
      showError('The server cannot be reached.');
    } finally {
      sending = false;
      render();
    }
  }

  async function stop() {
    const answer = current;
    if (answer === null) {
      return;
    }

    stopButton.disabled = true;
    showError('');
    try {
      // Authorized by the reader cookie; the page's origin is what lets the hub accept it.
      const response = await fetch(streamsPath + encodeURIComponent(answer.id) + '/cancel?reason=' + encodeURIComponent('stopped from the page'), { method: 'POST' });
      // 202: cancelled, and the stream's own end event will say so. 409: it had ended already.
      if (response.status !== 202 && response.status !== 409) {
        showError(`Stop was refused (${response.status}): ${(await response.text()).trim()}`);
      }
    } catch {
      showError('The server cannot be reached.');
    } finally {
      render();
    }
  }

  form.addEventListener('submit', event => {
    event.preventDefault();
    send();
  });
  promptInput.addEventListener('keydown', event => {
    if (event.key === 'Enter' && !event.shiftKey && !sendButton.disabled) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  stopButton.addEventListener('click', stop);
  window.addEventListener('hashchange', () => follow(streamIdFromAddress()));
  follow(streamIdFromAddress());
})();

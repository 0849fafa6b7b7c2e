// .NET 10's reconnect UI (the handler `dotnet new blazor --interactivity Server` generates, adapted): blazor.web.js
// raises "components-reconnect-state-changed" on #components-reconnect-modal (Components/Layout/ReconnectModal.razor).
// A dashboard restart loses the circuit: the server then rejects the reconnect and the page reloads itself
// (the login cookie survives the restart, so the user lands where they were).
(() => {
  const modal = document.getElementById('components-reconnect-modal');
  if (!modal) {
    return;
  }

  modal.addEventListener('components-reconnect-state-changed', event => {
    const state = event.detail.state;
    if (state === 'show') {
      if (!modal.open) {
        modal.showModal();
      }
    } else if (state === 'hide') {
      modal.close();
    } else if (state === 'failed') {
      // The automatic attempts are used up (the dashboard is down for long): keep trying while the tab is visible.
      document.addEventListener('visibilitychange', retryWhenVisible);
      scheduleRetry();
    } else if (state === 'rejected') {
      location.reload();
    }
  });

  document.getElementById('components-reconnect-button')?.addEventListener('click', retry);
  document.getElementById('components-resume-button')?.addEventListener('click', resume);

  let retryTimer = null;
  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(retry, 5000);
  }

  async function retry() {
    document.removeEventListener('visibilitychange', retryWhenVisible);
    clearTimeout(retryTimer);
    try {
      // true: reconnected; false: the server is back but does not know this circuit; an exception: still unreachable.
      const reconnected = await window.Blazor.reconnect();
      if (!reconnected) {
        const resumed = await window.Blazor.resumeCircuit();
        if (!resumed) {
          location.reload();
        } else {
          modal.close();
        }
      }
    } catch {
      document.addEventListener('visibilitychange', retryWhenVisible);
      scheduleRetry();
    }
  }

  async function resume() {
    try {
      const resumed = await window.Blazor.resumeCircuit();
      if (!resumed) {
        location.reload();
      }
    } catch {
      modal.classList.replace('components-reconnect-paused', 'components-reconnect-resume-failed');
    }
  }

  async function retryWhenVisible() {
    if (document.visibilityState === 'visible') {
      await retry();
    }
  }
})();

// The classic Blazor reconnect element (the bundled .NET 9 script toggles its classes; see TOOLCHAIN.md):
// a retry button that calls Blazor.reconnect(), and a reload when the server no longer knows this circuit.
(() => {
  const modal = document.getElementById('components-reconnect-modal');
  if (!modal) {
    return;
  }

  const retry = document.getElementById('components-reconnect-retry');
  retry?.addEventListener('click', async () => {
    try {
      const resumed = await window.Blazor.reconnect();
      if (!resumed) {
        location.reload();
      }
    } catch {
      location.reload();
    }
  });

  new MutationObserver(() => {
    if (modal.classList.contains('components-reconnect-rejected')) {
      location.reload();
    }
  }).observe(modal, { attributes: true, attributeFilter: ['class'] });
})();

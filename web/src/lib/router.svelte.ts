// A small router on the History API. The server answers every non-API path with index.html,
// so deep links and reloads land here; links with a path inside the app are handled without a
// page load.

export const route = $state({
  path: location.pathname,
  query: new URLSearchParams(location.search),
});

/** A message for the next page (e.g. "Saved"), shown once there. */
export const flash = $state({ current: '', next: '' });

export function setFlash(message: string): void {
  flash.next = message;
}

function update(): void {
  route.path = location.pathname;
  route.query = new URLSearchParams(location.search);
  flash.current = flash.next;
  flash.next = '';
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  update();
  window.scrollTo(0, 0);
}

/** Change the query of the current page (filters) without a new history entry per keystroke. */
export function setQuery(values: Record<string, string>): void {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const s = params.toString();
  history.replaceState(null, '', location.pathname + (s ? '?' + s : ''));
  route.query = params;
}

window.addEventListener('popstate', update);

// Clicks on links within the app: navigate in place. Links to the API (the CSV export), with a
// target or download attribute, or with a modifier key keep the browser's behaviour.
document.addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  // A link to a place on the same page (the skip link) is the browser's.
  if (url.pathname + url.search === location.pathname + location.search && url.hash) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) {
    navigate(url.pathname + url.search);
  }
});

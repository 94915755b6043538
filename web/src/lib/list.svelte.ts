// A paginated list from the API: the first page, "show more" with the cursor, and only the
// answer to the latest request counts.
import type { Page } from './api';
import { isAbort } from './errors';

export function createList<T>(fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>) {
  const state = $state({
    items: [] as T[],
    next: null as string | null,
    loading: true,
    error: null as unknown,
  });
  let controller: AbortController | null = null;

  async function load(more = false): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    state.loading = true;
    state.error = null;
    try {
      const page = await fetchPage(more ? state.next : null, mine.signal);
      state.items = more ? [...state.items, ...page.items] : page.items;
      state.next = page.next_cursor ?? null;
    } catch (err) {
      if (isAbort(err)) return;
      state.error = err;
      if (!more) {
        state.items = [];
        state.next = null;
      }
    } finally {
      if (controller === mine) state.loading = false;
    }
  }

  return { state, load, more: () => load(true) };
}

/** A value that follows another after a pause in typing. */
export function debounce(fn: () => void, ms = 300): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}

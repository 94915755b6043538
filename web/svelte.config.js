// Svelte 5 with runes. Component styles are emitted into the CSS file, never injected at run time.
export default {
  compilerOptions: {
    runes: true,
  },
};

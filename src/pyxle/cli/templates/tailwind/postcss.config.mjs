// Pyxle runs this PostCSS config on every stylesheet, in `pyxle dev` and `pyxle build`.
export default {
  plugins: {
    '@tailwindcss/postcss': {},
  },
}

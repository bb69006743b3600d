// The engagement log's stakeholder picker: the form draws only the chosen stakeholders;
// typing in the search box asks the server for matching ones (those the user may see)
// and offers each as a checkbox. Ticking one moves it to the chosen list.
(() => {
  const DELAY_MS = 250;

  function setUp(picker) {
    const chosen = picker.querySelector('[data-picker-chosen]');
    const search = picker.querySelector('[data-picker-search]');
    const results = picker.querySelector('[data-picker-results]');
    const name = picker.dataset.name;
    const minLength = Number(picker.dataset.minLength || 2);
    let timer = null;
    let latest = 0;

    const chosenIds = () =>
      new Set([...chosen.querySelectorAll('input[type=checkbox]')].map((box) => box.value));

    function option(stakeholder) {
      const row = document.createElement('div');
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = name;
      box.value = String(stakeholder.id);
      box.id = `${name}-pick-${stakeholder.id}`;
      label.htmlFor = box.id;
      label.append(box, ` ${stakeholder.label}`);
      row.append(label);
      box.addEventListener('change', () => {
        if (box.checked) chosen.append(row);
      });
      return row;
    }

    async function find() {
      const query = search.value.trim();
      const ask = ++latest;
      if (query.length < minLength) {
        results.replaceChildren();
        return;
      }
      const url = `${picker.dataset.searchUrl}?q=${encodeURIComponent(query)}`;
      const response = await fetch(url, { credentials: 'same-origin' });
      if (ask !== latest) return;
      if (!response.ok) {
        results.textContent = 'The search did not answer; try again.';
        return;
      }
      const { results: found, more } = await response.json();
      const already = chosenIds();
      const rows = found.filter((s) => !already.has(String(s.id))).map(option);
      const note = document.createElement('p');
      note.className = 'help';
      note.textContent = found.length
        ? more
          ? `The first ${found.length} matches; type more to narrow them.`
          : `${found.length} match${found.length === 1 ? '' : 'es'}.`
        : 'No stakeholder matches.';
      results.replaceChildren(note, ...rows);
    }

    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(find, DELAY_MS);
    });
    // Enter in the search box searches; it does not submit the whole form.
    search.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        clearTimeout(timer);
        find();
      }
    });
  }

  function init() {
    document.querySelectorAll('[data-stakeholder-picker]').forEach(setUp);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();

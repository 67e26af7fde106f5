// Data in the UI's language: gifts, shop items, tags, teams and positions
// carry labels {en, zh}; each shows in the UI's language, else in the other
// one, else by its name. Team and position names come bare in many answers
// (boards, analytics, profiles), so their labels are asked for once per page
// load, by name.
import { get } from './api.js';
import { lang } from './i18n.js';

/** `labels` ({en, zh}, either may be missing) in the UI's language, else in
 *  the other language, else `name`. */
export function labelOf(labels, name = '') {
  const other = lang() === 'en' ? 'zh' : 'en';
  return labels?.[lang()] || labels?.[other] || name || '';
}

let named = null;
const byName = (r) => Object.fromEntries(r.items.map((x) => [x.name, x.labels]));

/** {teams, positions}: each name → its labels; {} when they cannot be read
 *  (a failure is asked again next time). */
export function namedLabels() {
  named ??= Promise.all([get('/api/v1/teams/labels'), get('/api/v1/positions')])
    .then(([teams, positions]) => ({ teams: byName(teams), positions: byName(positions) }))
    .catch(() => { named = null; return { teams: {}, positions: {} }; });
  return named;
}

/** Forgets the labels asked for, after an admin changed some. */
export function forgetNamedLabels() { named = null; }

/** A team's name in the UI's language; `names` from namedLabels(). */
export const teamName = (names, team) => (team ? labelOf(names?.teams?.[team], team) : '');

/** A position's name in the UI's language; `names` from namedLabels(). */
export const positionName = (names, position) => (position ? labelOf(names?.positions?.[position], position) : '');

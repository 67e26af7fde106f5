// Admin screens (role admin only): people, teams, positions, tags, the shop and its
// orders, gifts and the points rules. Everything here was curl-only before;
// each page is its own small file.
import { t } from './i18n.js';
import { h } from './ui.js';
import { mountSubtabs } from './subtabs.js';
import { users } from './admin_users.js';
import { teams, positions, tags } from './admin_catalog.js';
import { shopItems, orders } from './admin_shop.js';
import { gifts, pointsRules } from './admin_points.js';

const pages = { users, teams, positions, tags, shop: shopItems, orders, gifts, rules: pointsRules };
const labels = { users: 'ad_users', teams: 'ad_teams', positions: 'ad_positions', tags: 'ad_tags', shop: 'ad_shop', orders: 'ad_orders', gifts: 'ad_gifts', rules: 'ad_rules' };

export async function mount(el) {
  el.append(h('h1.screen-title', { text: t('tabAdmin') }));
  return (await mountSubtabs(el, pages, labels, t('tabAdmin'), 'admin-body')).unmount;
}

/* The maintenance round, shared by the main loop and the test hooks.
 * See include/casereel/maintenance.h. */
#include "casereel/maintenance.h"

#include <pthread.h>

#include "casereel/clock.h"
#include "casereel/feed.h"
#include "casereel/janitor.h"
#include "casereel/ledger.h"
#include "casereel/log.h"
#include "casereel/push_rules.h"
#include "casereel/store.h"
#include "casereel/uploads.h"

/* The janitor decides what to delete from one look at the database; two
 * rounds at once would race each other over the same files. */
static pthread_mutex_t round_lock = PTHREAD_MUTEX_INITIALIZER;

void maintenance_round(const struct cr_config *cfg, bool strays)
{
	pthread_mutex_lock(&round_lock);
	int n = 0;
	if (uploads_expire(cfg, &n) == CR_OK && n)
		log_info("removed %d expired upload(s)", n);
	feed_expire_snapshots();
	if (ledger_expire_keys(cr_now() - cfg->idempotency_ttl, &n) == CR_OK && n)
		log_info("forgot %d idempotency key(s) older than %ld s", n, cfg->idempotency_ttl);
	if (janitor_purge_clips(cfg, cr_now(), &n) == CR_OK && n)
		log_info("janitor: deleted the files of %d removed or failed clip(s)", n);
	if (janitor_purge_sources(cfg, cr_now(), &n) == CR_OK && n)
		log_info("janitor: deleted %d original(s) past their retention or redacted", n);
	if (janitor_purge_versions(cfg, cr_now(), &n) == CR_OK && n)
		log_info("janitor: deleted %d replaced media version(s)", n);
	if (strays && janitor_remove_strays(cfg, cr_now(), &n) == CR_OK && n)
		log_info("janitor: removed %d stray file(s) or directories older than %d s", n,
			 JANITOR_STRAY_AGE);
	struct push_pass pass;
	bool ran;
	if (push_rules_daily(cfg->rule_hour, &pass, &ran) == CR_OK && ran)
		log_info("daily push-rule pass: %zu rule(s), %zu fired, %zu qualified", pass.rules,
			 pass.fired, pass.qualified);
	if (store_optimize() != CR_OK)
		log_warn("the planner's statistics could not be refreshed");
	pthread_mutex_unlock(&round_lock);
}

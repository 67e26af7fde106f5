/* Push rules (智能推送): "when an agent's qa_score on refunds stays below 70
 * for 5 of the last 7 days, assign the path 'Refunds mastery' due in 7
 * days". A firing is a push, tracked until the agent's metric is back on the
 * right side for N days with data, not merely until the clips are watched.
 * The tables push_rules and pushes belong to this module. */
#ifndef CASEREEL_PUSH_RULES_H
#define CASEREEL_PUSH_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casereel/error.h"

struct push_rule_fields {
	const char *name;
	const char *metric; /* metric name */
	const char *tag;    /* per-skill metrics: the tag; NULL otherwise */
	double threshold;   /* "wrong side" follows the metric's direction */
	int window_days, min_days, due_days, recover_days;
	int64_t path_id;
	int64_t team_id; /* 0 = every team */
	int64_t by;
};

/* Creates a rule. CR_EINVAL with `why` naming the field: an unknown
 * metric, tag, live path or team, a tag that does not suit the metric (per
 * skill needs one, overall takes none), or day counts out of range
 * (min_days <= window_days <= 90). */
cr_err push_rule_create(const struct push_rule_fields *f, int64_t *id, struct cr_problem *why);

/* Turns rule `id` on or off (off: no new pushes; open ones stay tracked
 * until they qualify). CR_ENOTFOUND for an unknown id. */
cr_err push_rule_set_active(int64_t id, bool active);

/* Every rule with its counts of open, qualified and overdue pushes, as a
 * JSON array (new reference). */
cr_err push_rules_json(json_t **out);

/* Rule `id` with its history: each push (who, when, the value and days that
 * triggered it, its state, due date, overdue, the path's progress), newest
 * first (new reference). CR_ENOTFOUND. */
cr_err push_rule_json(int64_t id, json_t **out);

/* What one evaluation pass did. */
struct push_pass {
	size_t rules, fired, qualified;
};

/* Evaluates every active rule as of day `today` (days since 1970 in the
 * server's zone): fires for agents newly on the wrong side, one open push
 * per rule and agent, and closes as qualified the open pushes whose agent
 * recovered, those of rules switched off too (out->rules counts the active
 * ones). Each rule is its own transaction. */
cr_err push_rules_evaluate(int32_t today, struct push_pass *out);

/* The daily pass: runs push_rules_evaluate once per calendar day (in the
 * server's zone), at the first call on or after local hour `hour`; later
 * calls that day do nothing (*ran false). A restart may run it once more
 * that day, which changes nothing: a pass fires only agents without an
 * open push and qualifies only those who recovered. */
cr_err push_rules_daily(int hour, struct push_pass *out, bool *ran);

#endif

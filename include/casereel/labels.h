/* Names in the two UI languages: what the API takes as `labels`
 * {"en": ..., "zh": ...} and the tables keep as label (English) and
 * label_zh (Chinese, or NULL). Tags, gifts, shop items, teams and
 * positions all carry them; the web client shows the one in its language,
 * then the other, then the name. */
#ifndef CASEREEL_LABELS_H
#define CASEREEL_LABELS_H

#include <stdbool.h>

#define LABEL_MAX 64 /* characters of a label, in either language */

/* Labels sent to change a row. NULL keeps the old value on an update. */
struct cr_labels {
	const char *en; /* English; a new row without one is labelled by its name */
	const char *zh; /* Chinese; a new row without one has none */
	bool clear_zh;  /* drop the Chinese label (zh is then ignored) */
};

/* Shop items, teams and positions keep label '' for "the English label is
 * the name", so a rename shows in English too. LABEL_EN_SQL(p) reads the
 * English label of the row aliased `p`; LABEL_NEW_SQL stores parameter
 * `en` for a row named by parameter `name`; LABELS_SET_SQL is the SET list
 * of an UPDATE from parameters en, zh and clear (bound in that order by
 * store_bind_labels) and `name`, the new name (NULL keeps it). */
#define LABEL_EN_SQL(p)           "COALESCE(NULLIF(" p ".label, ''), " p ".name)"
#define LABEL_NEW_SQL(name, en)   "COALESCE(NULLIF(" en ", " name "), '')"
#define LABEL_ZH_NEW_SQL(zh, clr) "CASE WHEN " clr " THEN NULL ELSE " zh " END"
#define LABELS_SET_SQL(name, en, zh, clear)                                                        \
	" label = CASE WHEN " en " IS NULL THEN label WHEN " en " = COALESCE(" name                \
	", name) COLLATE BINARY THEN '' ELSE " en " END, label_zh = CASE WHEN " clear              \
	" THEN NULL ELSE COALESCE(" zh ", label_zh) END"

#endif

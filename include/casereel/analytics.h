/* Learning analytics for trainers: per clip (funnel, average watch, a
 * 10-bucket retention curve, how many questions its quiz has), per person
 * (the learning profile) and per team. Lists are rows of report_rows(),
 * keyed by the matching *_columns. */
#ifndef CASEREEL_ANALYTICS_H
#define CASEREEL_ANALYTICS_H

#include <jansson.h>
#include <stdint.h>

#include "casereel/error.h"

#define ANALYTICS_CLIP_NCOLS   13
#define ANALYTICS_PERSON_NCOLS 10
#define ANALYTICS_TEAM_NCOLS   8

extern const char *const analytics_clip_columns[ANALYTICS_CLIP_NCOLS];
extern const char *const analytics_person_columns[ANALYTICS_PERSON_NCOLS];
extern const char *const analytics_team_columns[ANALYTICS_TEAM_NCOLS];

/* Every published clip, newest first: *rows (NULL when out of memory).
 * CR_EDB when the query cannot run. */
cr_err analytics_clips(json_t **rows);

/* One clip's funnel, retention curve and quiz accuracy (new reference;
 * NULL when out of memory). CR_ENOTFOUND unless it is published, pending
 * review or rejected. */
cr_err analytics_clip_json(int64_t id, json_t **out);

/* The learning profile of every active user of team `team_id` (0: all), by
 * name: *rows (NULL when out of memory). */
cr_err analytics_people(int64_t team_id, json_t **rows);

/* One user's learning profile with quiz_accuracy (new reference).
 * CR_ENOTFOUND for an unknown user. */
cr_err analytics_person_json(int64_t id, json_t **out);

/* Every team's activity, by name: *rows (NULL when out of memory). */
cr_err analytics_teams(json_t **rows);

#endif

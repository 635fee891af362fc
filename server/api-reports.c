/*
 * The report routes: /api/quality (each published report's score and
 * failures per rule, with its deployment), /api/models (the model
 * repository's history), /api/models/champion (the champion against
 * persistence) and /api/forecast (the champion's next hours).
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/quality-log.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "server-int.h"

int srv_quality_runs(const struct srv_req *rq, struct pm_quality_entry **v,
		     size_t *n, struct pm_run *runs, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = srv_store(rq, "data", out);
	size_t i;
	enum pm_err e;

	if (!s)
		return -1;
	e = pm_quality_log(s, SRV_QUALITY_MAX, v, n, &err);
	pm_store_close(s);
	if (e) {
		srv_fail(out, e, err.buf);
		pm_buf_release(&err);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (pm_state_run_load(rq->st, (*v)[i].run, &runs[i], NULL, NULL,
				      NULL))
			memset(&runs[i], 0, sizeof(runs[i]));
	pm_buf_release(&err);
	return 0;
}

void api_quality(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_quality_entry *v = NULL;
	struct pm_run *runs = pm_xcalloc(SRV_QUALITY_MAX, sizeof(*runs));
	const char *dep = rq->query(rq->conn, "deployment");
	size_t n = 0, i, k, shown = 0;
	long since;

	if (srv_query_long(rq, "since", 0, LONG_MAX, 0, &since)) {
		srv_error(out, 400, "bad_request",
			  "since is milliseconds since the epoch");
		goto out;
	}
	if (srv_quality_runs(rq, &v, &n, runs, out))
		goto out;
	pm_buf_addstr(&out->body, "{\"runs\": [");
	for (i = 0; i < n; i++) {
		const struct pm_run *r = &runs[i];

		if ((since && (!r->flow || r->created_ms < since)) ||
		    (dep && (!r->deployment || strcmp(r->deployment, dep))))
			continue;
		pm_buf_addstr(&out->body,
			      shown++ ? ",\n {\"run\": " : "\n {\"run\": ");
		pm_buf_add_json_str(&out->body, v[i].run, strlen(v[i].run));
		pm_buf_addstr(&out->body, ", \"deployment\": ");
		if (r->deployment)
			pm_buf_add_json_str(&out->body, r->deployment,
					    strlen(r->deployment));
		else
			pm_buf_addstr(&out->body, "null");
		pm_buf_addf(&out->body,
			    ", \"date\": \"%s\", \"score\": %.6f, \"passed\": "
			    "%s, \"input_rows\": %zu, \"accepted_rows\": %zu, "
			    "\"failures\": {",
			    v[i].date, v[i].score,
			    v[i].passed ? "true" : "false", v[i].input_rows,
			    v[i].accepted_rows);
		for (k = 0; k < v[i].nrules; k++) {
			pm_buf_addstr(&out->body, k ? ", " : "");
			pm_buf_add_json_str(&out->body, v[i].rule[k],
					    strlen(v[i].rule[k]));
			pm_buf_addf(&out->body, ": %zu", v[i].failed[k]);
		}
		pm_buf_addstr(&out->body, "}}");
	}
	pm_buf_addstr(&out->body, "]}\n");
out:
	for (i = 0; i < n; i++)
		pm_run_release(&runs[i]);
	free(runs);
	pm_quality_log_free(v, n);
}

void api_models(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = srv_store(rq, "model", out);
	size_t i;

	if (!s)
		return;
	if (pm_store_log(s, "main", 100, &l, &err)) {
		srv_fail(out, PM_ERR_NET, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"models\": [");
		for (i = 0; i < l.nr; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_commit_json(&out->body, &l.c[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	pm_commit_list_release(&l);
	pm_store_close(s);
	pm_buf_release(&err);
}

void api_champion(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *data = srv_store(rq, "data", out), *models = NULL;
	struct pm_champion_eval ev;
	enum pm_err e;

	if (data)
		models = srv_store(rq, "model", out);
	if (!models)
		goto out;
	e = pm_champion_evaluate(data, models, &ev, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_champion_eval_json(&out->body, &ev);
		pm_buf_addch(&out->body, '\n');
	}
out:
	pm_store_close(data);
	pm_store_close(models);
	pm_buf_release(&err);
}

void api_forecast(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	const char *station = rq->query(rq->conn, "station");
	struct pm_store *data = NULL, *models = NULL;
	struct pm_forecast f;
	long hours;
	enum pm_err e;

	if (!station || !*station || strchr(station, ',') ||
	    srv_query_long(rq, "hours", 1, 168, 24, &hours)) {
		srv_error(out, 400, "bad_request",
			  "station= names one station; hours is 1 to 168");
		return;
	}
	data = srv_store(rq, "data", out);
	if (data)
		models = srv_store(rq, "model", out);
	if (!models)
		goto out;
	e = pm_champion_forecast(data, models, station, (size_t)hours, &f,
				 &err);
	if (e) {
		/* no data for the station: there is no such station on main */
		srv_fail(out, e == PM_ERR_DATA ? PM_ERR_NOTFOUND : e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"station\": ");
		pm_buf_add_json_str(&out->body, f.station, strlen(f.station));
		pm_buf_addf(&out->body,
			    ", \"data_commit\": \"%s\", \"hours\": ",
			    f.data_commit);
		pm_forecast_json(&out->body, &f);
		pm_buf_addstr(&out->body, "}\n");
		pm_forecast_release(&f);
	}
out:
	pm_store_close(data);
	pm_store_close(models);
	pm_buf_release(&err);
}

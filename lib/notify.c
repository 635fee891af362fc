/*
 * Slack-compatible webhook messages from the alert outbox: Block Kit
 * JSON (a header, a section, a context line) with a plain "text" for
 * notifications, mrkdwn escaped, within Slack's length limits.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/http.h"
#include "pm25/notify.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"

/* The columns of an alert row (PM_ALERT_COLUMNS_NR). */
#define HEADER_MAX 150	 /* Slack: plain_text of a header */
#define SECTION_MAX 3000 /* Slack: text of a section */
#define DIGEST_MAX 10	 /* runs named in one message */

void pm_notify_from_env(struct pm_notify *n)
{
	const char *env = pm_config_str(PM_CFG_ENV);

	n->url = pm_config_str(PM_CFG_SLACK_WEBHOOK_URL);
	n->env = env ? env : "dev";
	n->throttle_ms = pm_config_long(PM_CFG_ALERT_THROTTLE_S) * 1000;
	n->max_tries = (int)pm_config_long(PM_CFG_ALERT_TRIES);
	n->timeout_ms = 10000;
	n->cancel = NULL;
	if (n->max_tries < 1)
		n->max_tries = 1;
	if (n->throttle_ms < 0)
		n->throttle_ms = 0;
}

/* Length of the UTF-8 character at s, 0 if it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = 0, i;

	if (*s < 0x80)
		n = 1;
	else if (*s >= 0xc2 && *s < 0xe0)
		n = 2;
	else if (*s >= 0xe0 && *s < 0xf0)
		n = 3;
	else if (*s >= 0xf0 && *s < 0xf5)
		n = 4;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Append s to b as mrkdwn, at most about max bytes of it: & < > escaped,
 * bytes that are not UTF-8 shown as '?'.
 */
static void add_mrkdwn(struct pm_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = 0, len;

	for (; *p; p += len ? len : 1) {
		len = utf8_len(p);
		if (n >= max) {
			pm_buf_addstr(b, "…");
			return;
		}
		if (*p == '&')
			pm_buf_addstr(b, "&amp;");
		else if (*p == '<')
			pm_buf_addstr(b, "&lt;");
		else if (*p == '>')
			pm_buf_addstr(b, "&gt;");
		else if (len)
			pm_buf_add(b, p, len);
		else
			pm_buf_addch(b, '?');
		n += len ? len : 1;
	}
}

/* Cut b to at most max bytes, at a character boundary. */
static void cut(struct pm_buf *b, size_t max)
{
	if (b->len <= max)
		return;
	pm_buf_setlen(b, max);
	while (b->len && ((unsigned char)b->buf[b->len - 1] & 0xc0) == 0x80)
		pm_buf_setlen(b, b->len - 1);
	if (b->len && (unsigned char)b->buf[b->len - 1] >= 0xc0)
		pm_buf_setlen(b, b->len - 1);
}

static const char *mark(const char *kind)
{
	if (!strcmp(kind, "Failed"))
		return ":x:";
	if (!strcmp(kind, "Crashed"))
		return ":boom:";
	if (!strcmp(kind, "TimedOut"))
		return ":hourglass:";
	if (!strcmp(kind, "Late"))
		return ":alarm_clock:";
	if (!strcmp(kind, "quality"))
		return ":warning:";
	return ":bell:";
}

/* What a group's alerts are about: the deployment, the flow or the key. */
static const char *subject(const struct pm_alert *al, size_t i)
{
	const char *s = al[i].deployment;

	if (!s)
		s = al[i].flow;
	return s ? s : al[i].key;
}

/* The message for alerts idx[0..k) of al, all of one group. */
static char *message(const struct pm_alert *al, const size_t *idx, size_t k,
		     const struct pm_notify *n)
{
	struct pm_buf head = PM_BUF_INIT, sec = PM_BUF_INIT, ctx = PM_BUF_INIT,
		      text = PM_BUF_INIT;
	const char *kind = al[idx[0]].kind;
	char when[32];
	json_t *m, *blocks;
	char *out;
	size_t i;

	if (k == 1)
		pm_buf_addf(&head, "%s %s: %.100s", mark(kind),
			    !strcmp(kind, "quality") ?
				    "Quality below the gate" :
				    kind,
			    subject(al, idx[0]));
	else
		pm_buf_addf(&head, "%s %zu runs %s: %.90s", mark(kind), k,
			    !strcmp(kind, "quality") ?
				    "below the quality gate" :
				    kind,
			    subject(al, idx[0]));
	for (i = 0; i < k && i < DIGEST_MAX; i++) {
		size_t r = idx[i];
		const char *run = al[r].run;

		if (run) {
			pm_buf_addf(&sec, "%s*Run* `%s`", k > 1 ? "• " : "",
				    run);
			if (al[r].attempt > 0)
				pm_buf_addf(&sec, " (attempt %ld)",
					    al[r].attempt);
			if (k == 1 && al[r].pool) {
				pm_buf_addstr(&sec, " in pool ");
				add_mrkdwn(&sec, al[r].pool,
					   80);
			}
			pm_buf_addstr(&sec, k > 1 ? ": " : "\n*Reason* ");
		}
		add_mrkdwn(&sec, al[r].text,
			   k > 1 ? 200 : 2000);
		pm_buf_addch(&sec, '\n');
	}
	if (k > DIGEST_MAX)
		pm_buf_addf(&sec, "…and %zu more\n", k - DIGEST_MAX);
	pm_time_format(al[idx[0]].created_ms /
			       1000,
		       when);
	pm_buf_addf(&ctx, "pm25 %s · env ", PM25_VERSION);
	add_mrkdwn(&ctx, n->env, 40);
	pm_buf_addf(&ctx, " · %s", when);
	/* the notification text: short, and all that old clients show */
	pm_buf_addch(&text, '[');
	add_mrkdwn(&text, n->env, 40);
	pm_buf_addstr(&text, "] ");
	add_mrkdwn(&text, head.buf, HEADER_MAX);
	pm_buf_addstr(&text, " — ");
	add_mrkdwn(&text, al[idx[0]].text, 300);

	cut(&head, HEADER_MAX);
	cut(&sec, SECTION_MAX);
	blocks = json_pack("[{s:s, s:{s:s, s:s}}, {s:s, s:{s:s, s:s}}, "
			   "{s:s, s:[{s:s, s:s}]}]",
			   "type", "header", "text", "type", "plain_text",
			   "text", head.buf, "type", "section", "text", "type",
			   "mrkdwn", "text", sec.buf, "type", "context",
			   "elements", "type", "mrkdwn", "text", ctx.buf);
	m = json_pack("{s:s, s:o}", "text", text.buf, "blocks", blocks);
	out = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_decref(m);
	pm_buf_release(&head);
	pm_buf_release(&sec);
	pm_buf_release(&ctx);
	pm_buf_release(&text);
	return out;
}

/* err's text with the webhook URL (a secret) replaced by its name. */
static void scrub(struct pm_buf *err, const char *url, struct pm_buf *out)
{
	const char *p = err->buf ? err->buf : "", *hit;
	size_t ul = strlen(url);

	while ((hit = strstr(p, url)) != NULL) {
		pm_buf_add(out, p, (size_t)(hit - p));
		pm_buf_addstr(out, "$PM25_SLACK_WEBHOOK_URL");
		p = hit + ul;
	}
	pm_buf_addstr(out, p);
}

enum send_result { SENT, RETRY, GIVE_UP };

/* POST one message; why gets the reason it was not taken. */
static enum send_result post(const struct pm_notify *n, const char *body,
			     struct pm_buf *why)
{
	static const char *const hdrs[] = { "Content-Type: application/json",
					    NULL };
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_http_req rq = {
		"POST", n->url, hdrs, body, strlen(body), NULL
	};
	struct pm_buf resp = PM_BUF_INIT, err = PM_BUF_INIT;
	enum send_result r;
	enum pm_err e;
	long status = 0;

	o.connect_timeout_ms = n->timeout_ms < 3000 ? n->timeout_ms : 3000;
	o.timeout_ms = n->timeout_ms;
	o.max_tries = 1;
	o.max_body = 64 << 10;
	o.cancel = n->cancel;
	e = pm_http_request(&rq, &o, &resp, &status, &err);
	if (e) {
		pm_buf_addstr(why, "the webhook did not answer: ");
		scrub(&err, n->url, why);
		r = RETRY;
	} else if (status >= 200 && status < 300) {
		r = SENT;
	} else {
		pm_buf_addf(why, "the webhook answered HTTP %ld", status);
		/*
		 * Slack's answer is a code such as invalid_payload; anything
		 * else is not kept, for a peer may echo the secret path.
		 */
		if (resp.len && resp.len <= 64 &&
		    strspn(resp.buf, "abcdefghijklmnopqrstuvwxyz_") == resp.len)
			pm_buf_addf(why, ": %s", resp.buf);
		r = status == 429 || status >= 500 || status == 408 ? RETRY :
								      GIVE_UP;
	}
	pm_buf_release(&resp);
	pm_buf_release(&err);
	return r;
}

/* Send one group's due alerts, rs rows [a, b). */
static enum pm_err flush_group(struct pm_state *st, const struct pm_notify *n,
			       const struct pm_alert *al, size_t a, size_t b,
			       int64_t now, struct pm_notify_stats *ns,
			       struct pm_buf *err)
{
	struct pm_buf why = PM_BUF_INIT;
	size_t *idx = calloc(b - a, sizeof(*idx)), k = 0, i;
	int64_t last;
	enum send_result r;
	enum pm_err ret;
	char *body = NULL;

	if (!idx)
		return pm_errf(err, PM_ERR_LIMIT, "out of memory");
	ret = pm_state_alert_last_sent(st, al[a].grp, &last,
				       err);
	if (ret)
		goto out;
	if (last && now - last < n->throttle_ms) {
		/* throttled: wait for the group's next window */
		for (i = a; i < b; i++)
			if (!pm_state_alert_move(
				    st, al[i].key,
				    al[i].next_ms,
				    last + n->throttle_ms, 0, NULL))
				ns->held++;
		goto out;
	}
	/* claim: a process that is slower to see them leaves them alone */
	for (i = a; i < b; i++)
		if (!pm_state_alert_move(
			    st, al[i].key,
			    al[i].next_ms,
			    now + 2 * n->timeout_ms + 60000, 1, NULL))
			idx[k++] = i;
	if (!k)
		goto out;
	body = message(al, idx, k, n);
	r = body ? post(n, body, &why) : GIVE_UP;
	if (!body)
		pm_buf_addstr(&why, "cannot build the message");
	for (i = 0; !ret && i < k; i++) {
		const char *key = al[idx[i]].key;
		long tries =
			al[idx[i]].tries + 1;
		/* 1 s doubling to 5 min */
		int64_t next = now + (int64_t)(pm_backoff_s(1, tries, 300) * 1000);
		/* each alert has its own count of tries */
		enum send_result mine =
			r == RETRY && tries >= n->max_tries ? GIVE_UP : r;

		if (mine == SENT) {
			ret = pm_state_alert_end(st, key, "sent", NULL, now,
						 err);
			ns->sent++;
		} else if (mine == RETRY) {
			ret = pm_state_alert_end(st, key, "pending", why.buf,
						 next, err);
			ns->retrying++;
			if (!ns->next_ms || next < ns->next_ms)
				ns->next_ms = next;
		} else {
			ret = pm_state_alert_end(st, key, "failed", why.buf,
						 now, err);
			ns->failed++;
		}
	}
	ns->messages += r == SENT;
out:
	free(body);
	free(idx);
	pm_buf_release(&why);
	return ret;
}

enum pm_err pm_notify_flush(struct pm_state *st, const struct pm_notify *n,
			    struct pm_notify_stats *ns, struct pm_buf *err)
{
	struct pm_alert *al;
	int64_t now = pm_state_now_ms();
	enum pm_err ret;
	size_t a, b, nr;

	memset(ns, 0, sizeof(*ns));
	if (!n->url)
		return PM_OK;
	ret = pm_state_alert_due(st, now, 200, &al, &nr, err);
	if (ret)
		return ret;
	for (a = 0; !ret && a < nr; a = b) {
		for (b = a + 1;
		     b < nr && !strcmp(al[a].grp, al[b].grp);
		     b++)
			;
		ret = flush_group(st, n, al, a, b, now, ns, err);
	}
	pm_alerts_free(al, nr);
	return ret;
}

enum pm_err pm_notify_drain(struct pm_state *st, const struct pm_notify *n,
			    int64_t ms, struct pm_notify_stats *ns,
			    struct pm_buf *err)
{
	struct pm_notify_stats one;
	double end = pm_mono_s() + (double)ms / 1000;
	enum pm_err ret;

	ret = pm_notify_flush(st, n, ns, err);
	while (!ret && ns->retrying && ns->next_ms) {
		double wait = (double)(ns->next_ms - pm_state_now_ms()) / 1000;

		if (pm_mono_s() + wait > end)
			break;
		if (wait > 0)
			usleep((useconds_t)(wait * 1e6));
		ret = pm_notify_flush(st, n, &one, err);
		ns->messages += one.messages;
		ns->sent += one.sent;
		ns->failed += one.failed;
		ns->held += one.held;
		ns->retrying = one.retrying;
		ns->next_ms = one.next_ms;
	}
	return ret;
}

/*
 * A small HTTP/1.1 server for the tests, on 127.0.0.1 only. It stands in
 * for the real APIs, which tests never call, and can misbehave on
 * purpose. Usage: test-server DIR PORTFILE; it writes the port it got to
 * PORTFILE and serves until killed. Routes:
 *   /file/NAME[?QUERY]    200 with DIR/NAME
 *   /status/CODE          that status
 *   /slow/MS/NAME         wait MS milliseconds, then DIR/NAME
 *   /flaky/N/NAME         503 for the first N hits of this path, then NAME
 *   /truncated            promises 1000 bytes, sends 20, hangs up
 *   /html                 an HTML error page with status 200
 *   /empty                200 with no body
 *   /hits                 how many requests came before this one
 *   /ua                   the request's User-Agent
 */
#include "pm25/compat.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *dir;
static long hits;
static struct flaky {
	char path[1024];
	long seen;
} flaky[64];

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void reply(int fd, int code, const char *type, const char *body,
		  size_t len)
{
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d X\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 code, type, len);

	send_all(fd, head, (size_t)n);
	send_all(fd, body, len);
}

static void reply_file(int fd, const char *name)
{
	char path[1024], *data = NULL;
	size_t len = 0;
	FILE *fp;

	/* a query is the client's business: the file is the same */
	snprintf(path, sizeof(path), "%s/%.*s", dir, (int)strcspn(name, "?"),
		 name);
	fp = strstr(name, "..") ? NULL : fopen(path, "rb");
	if (!fp) {
		reply(fd, 404, "text/plain", "not found\n", 10);
		return;
	}
	fseek(fp, 0, SEEK_END);
	len = (size_t)ftell(fp);
	rewind(fp);
	data = malloc(len + 1);
	if (data && fread(data, 1, len, fp) == len)
		reply(fd, 200, "application/json", data, len);
	free(data);
	fclose(fp);
}

static void handle(int fd)
{
	char req[8192], path[1024], ua[512] = "";
	ssize_t n = 0, r;
	char *h;

	while (n < (ssize_t)sizeof(req) - 1 &&
	       (r = read(fd, req + n, sizeof(req) - 1 - (size_t)n)) > 0) {
		n += r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (n <= 0 || sscanf(req, "GET %1023s", path) != 1)
		return;
	h = strcasestr(req, "\r\nUser-Agent: ");
	if (h)
		sscanf(h + 14, "%511[^\r]", ua);
	fprintf(stderr, "test-server: GET %s (%s)\n", path, ua);
	hits++;
	if (!strncmp(path, "/file/", 6)) {
		reply_file(fd, path + 6);
	} else if (!strncmp(path, "/status/", 8)) {
		int code = (int)strtol(path + 8, NULL, 10);
		char body[64];
		int len = snprintf(body, sizeof(body), "status %d\n", code);

		reply(fd, code, "text/plain", body, (size_t)len);
	} else if (!strncmp(path, "/slow/", 6)) {
		char *name;
		long ms = strtol(path + 6, &name, 10);

		usleep((useconds_t)ms * 1000);
		reply_file(fd, *name == '/' ? name + 1 : name);
	} else if (!strncmp(path, "/flaky/", 7)) {
		char *name;
		long fails = strtol(path + 7, &name, 10);
		size_t i;

		for (i = 0; i < PM_ARRAY_SIZE(flaky); i++)
			if (!flaky[i].path[0] || !strcmp(flaky[i].path, path))
				break;
		if (i < PM_ARRAY_SIZE(flaky)) {
			snprintf(flaky[i].path, sizeof(flaky[i].path), "%s",
				 path);
			if (flaky[i].seen++ < fails) {
				reply(fd, 503, "text/plain", "busy\n", 5);
				return;
			}
		}
		reply_file(fd, *name == '/' ? name + 1 : name);
	} else if (!strcmp(path, "/truncated")) {
		const char *head = "HTTP/1.1 200 OK\r\nContent-Type: "
				   "application/json\r\nContent-Length: 1000"
				   "\r\n\r\n{\"stations\": [{\"sta";

		send_all(fd, head, strlen(head));
	} else if (!strcmp(path, "/html")) {
		const char *page = "<!DOCTYPE html>\n<html><body><h1>502 Bad "
				   "Gateway</h1></body></html>\n";

		reply(fd, 200, "text/html", page, strlen(page));
	} else if (!strcmp(path, "/empty")) {
		reply(fd, 200, "application/json", "", 0);
	} else if (!strcmp(path, "/hits")) {
		char body[32];
		int len = snprintf(body, sizeof(body), "%ld\n", hits - 1);

		reply(fd, 200, "text/plain", body, (size_t)len);
	} else if (!strcmp(path, "/ua")) {
		reply(fd, 200, "text/plain", ua, strlen(ua));
	} else {
		reply(fd, 404, "text/plain", "no route\n", 9);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int s, one = 1;
	FILE *fp;

	if (argc != 3) {
		fprintf(stderr, "usage: test-server DIR PORTFILE\n");
		return 2;
	}
	dir = argv[1];
	signal(SIGPIPE, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16) ||
	    getsockname(s, (struct sockaddr *)&a, &alen)) {
		perror("test-server");
		return 1;
	}
	fp = fopen(argv[2], "w");
	if (!fp)
		return 1;
	fprintf(fp, "%d\n", ntohs(a.sin_port));
	fclose(fp);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c < 0)
			continue;
		handle(c);
		close(c);
	}
}

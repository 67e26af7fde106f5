/* The client's address behind trusted proxies. See client_addr.h. */
#include "casereel/client_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HOPS 32

struct hop {
	const char *s;
	size_t len;
};

/* Parses one address, allowing "[v6]", "[v6]:port" and "v4:port"; maps
 * ::ffff:a.b.c.d to IPv4. */
static bool parse_ip(const char *s, size_t len, struct client_net *out)
{
	char buf[64];
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close)
			return false;
		s++;
		len = (size_t)(close - s);
	} else {
		const char *colon = memchr(s, ':', len);
		if (colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)))
			len = (size_t)(colon - s); /* v4:port: one colon only */
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = 4;
		out->prefix = 32;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return false;
	static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (!memcmp(out->addr, mapped, 12)) {
		memmove(out->addr, out->addr + 12, 4);
		memset(out->addr + 4, 0, 12);
		out->family = 4;
		out->prefix = 32;
		return true;
	}
	out->family = 6;
	out->prefix = 128;
	return true;
}

static bool net_contains(const struct client_net *net, const struct client_net *a)
{
	if (net->family != a->family)
		return false;
	int full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, a->addr, (size_t)full))
		return false;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return rest == 0 || (net->addr[full] & mask) == (a->addr[full] & mask);
}

static bool trusted(const struct client_trust *t, const struct client_net *a)
{
	for (size_t i = 0; i < t->n; i++)
		if (net_contains(&t->nets[i], a))
			return true;
	return false;
}

static cr_err parse_net(const char *item, size_t len, struct client_net *net)
{
	const char *slash = memchr(item, '/', len);
	if (!parse_ip(item, slash ? (size_t)(slash - item) : len, net))
		return CR_EINVAL;
	if (!slash)
		return CR_OK;
	char digits[8];
	size_t n = len - (size_t)(slash + 1 - item);
	if (n == 0 || n >= sizeof digits)
		return CR_EINVAL;
	memcpy(digits, slash + 1, n);
	digits[n] = '\0';
	char *end = NULL;
	long p = strtol(digits, &end, 10);
	if (*end || p < 0 || p > (net->family == 4 ? 32 : 128))
		return CR_EINVAL;
	net->prefix = (int)p;
	return CR_OK;
}

cr_err client_addr_parse_trust(const char *list, struct client_trust *out, char *err,
			       size_t err_len)
{
	memset(out, 0, sizeof *out);
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		const char *item = s;
		s += len + (s[len] == ',');
		while (len && (*item == ' ' || *item == '\t'))
			item++, len--;
		while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
			len--;
		if (!len)
			continue;
		if (out->n == CLIENT_ADDR_MAX_NETS) {
			snprintf(err, err_len, "--trusted-proxies: more than %d networks",
				 CLIENT_ADDR_MAX_NETS);
			return CR_EINVAL;
		}
		if (parse_net(item, len, &out->nets[out->n])) {
			snprintf(err, err_len,
				 "--trusted-proxies: '%.*s' is not an address or CIDR (10.0.0.0/8, "
				 "fd00::/8)",
				 (int)len, item);
			return CR_EINVAL;
		}
		out->n++;
	}
	return CR_OK;
}

bool client_addr_trusted(const struct client_trust *t, const char *ip)
{
	struct client_net a;
	return parse_ip(ip, strlen(ip), &a) && trusted(t, &a);
}

/* Appends the comma-separated items of `values` to hops, keeping the
 * rightmost MAX_HOPS. */
static size_t split_hops(const char *const *values, size_t n, struct hop *hops)
{
	size_t count = 0;
	for (size_t v = 0; v < n; v++) {
		for (const char *s = values[v];;) {
			size_t len = strcspn(s, ",");
			if (count == MAX_HOPS) {
				memmove(hops, hops + 1, (MAX_HOPS - 1) * sizeof *hops);
				count--;
			}
			hops[count++] = (struct hop){s, len};
			if (!s[len])
				break;
			s += len + 1;
		}
	}
	return count;
}

/* Narrows a Forwarded element ("for=1.2.3.4;proto=https") to its for=
 * value without quotes; an element without one becomes empty. */
static struct hop forwarded_for(struct hop h)
{
	const char *s = h.s, *end = h.s + h.len;
	while (s < end) {
		const char *semi = memchr(s, ';', (size_t)(end - s));
		const char *pair_end = semi ? semi : end;
		while (s < pair_end && (*s == ' ' || *s == '\t'))
			s++;
		if (pair_end - s > 4 && !strncasecmp(s, "for=", 4)) {
			s += 4;
			size_t len = (size_t)(pair_end - s);
			if (len >= 2 && s[0] == '"' && s[len - 1] == '"')
				s++, len -= 2;
			return (struct hop){s, len};
		}
		s = pair_end + (semi != NULL);
	}
	return (struct hop){h.s, 0};
}

static void write_addr(const struct client_net *a, char *out, size_t size)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, out, (socklen_t)size))
		snprintf(out, size, "unknown");
}

void client_addr_resolve(const struct client_trust *t, const char *peer, const char *const *xff,
			 size_t nxff, const char *const *fwd, size_t nfwd, char *out, size_t size)
{
	struct client_net cur;
	if (!parse_ip(peer, strlen(peer), &cur)) {
		snprintf(out, size, "%s", peer);
		return;
	}
	struct hop hops[MAX_HOPS];
	size_t n = 0;
	if (trusted(t, &cur)) {
		bool use_xff = nxff > 0;
		n = split_hops(use_xff ? xff : fwd, use_xff ? nxff : nfwd, hops);
		if (!use_xff)
			for (size_t i = 0; i < n; i++)
				hops[i] = forwarded_for(hops[i]);
	}
	for (size_t i = n; i-- > 0;) {
		struct client_net hop;
		if (!parse_ip(hops[i].s, hops[i].len, &hop))
			break;
		cur = hop;
		if (!trusted(t, &hop))
			break;
	}
	write_addr(&cur, out, size);
}

/* The client's address behind trusted proxies: the --trusted-proxies CIDR
 * list and the X-Forwarded-For / Forwarded chains those proxies send. A
 * chain is believed only from a trusted peer, and only up to its rightmost
 * hop that is not trusted: everything left of it the client wrote itself. */
#ifndef CASEREEL_CLIENT_ADDR_H
#define CASEREEL_CLIENT_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "casereel/error.h"

#define CLIENT_ADDR_MAX_NETS 32
#define CLIENT_ADDR_CHARS    46 /* INET6_ADDRSTRLEN */

struct client_net {
	int family; /* 4 or 6 */
	unsigned char addr[16];
	int prefix;
};

struct client_trust {
	size_t n;
	struct client_net nets[CLIENT_ADDR_MAX_NETS];
};

/* Parses a comma-separated list of CIDRs ("10.0.0.0/8, fd00::/8"; a bare
 * address is one host) into `out`; an empty list trusts no one. CR_EINVAL
 * with `err` naming the bad item, or saying there are more than
 * CLIENT_ADDR_MAX_NETS. */
cr_err client_addr_parse_trust(const char *list, struct client_trust *out, char *err,
			       size_t err_len);

/* True when the textual address `ip` (IPv4, IPv6, IPv4-mapped IPv6) lies in
 * one of the trusted nets. */
bool client_addr_trusted(const struct client_trust *t, const char *ip);

/* Writes the client's address (canonical text, IPv4-mapped shown as IPv4)
 * into `out`: `peer` unless the peer is trusted; then, reading the chain
 * right to left, the first hop that is not trusted (or the leftmost, if all
 * are). A hop that is not an address ("unknown", garbage) ends the walk at
 * the trusted hop to its right. `xff` holds the X-Forwarded-For header
 * values in the order received, `fwd` the Forwarded ones; X-Forwarded-For
 * is read when present, else Forwarded's for= parameters. */
void client_addr_resolve(const struct client_trust *t, const char *peer, const char *const *xff,
			 size_t nxff, const char *const *fwd, size_t nfwd, char *out, size_t size);

#endif

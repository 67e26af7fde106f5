/* Unit tests for src/http/client_addr.c: which address is the client's
 * behind --trusted-proxies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "casereel/client_addr.h"

static struct client_trust trust(const char *list)
{
	struct client_trust t;
	char err[128];
	assert_int_equal(client_addr_parse_trust(list, &t, err, sizeof err), CR_OK);
	return t;
}

static const char *resolve_xff(const struct client_trust *t, const char *peer, const char *xff)
{
	static char out[CLIENT_ADDR_CHARS];
	const char *v[1] = {xff};
	client_addr_resolve(t, peer, v, xff ? 1 : 0, NULL, 0, out, sizeof out);
	return out;
}

static void lists_parse_and_bad_items_are_named(void **state)
{
	(void)state;
	struct client_trust t = trust(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8,");
	assert_int_equal(t.n, 3);
	assert_int_equal(trust("").n, 0);
	char err[128] = "";
	assert_int_equal(client_addr_parse_trust("10.0.0.0/8,10.1/8", &t, err, sizeof err),
			 CR_EINVAL);
	assert_non_null(strstr(err, "'10.1/8'"));
	assert_int_equal(client_addr_parse_trust("10.0.0.0/33", &t, err, sizeof err), CR_EINVAL);
	assert_int_equal(client_addr_parse_trust("::/129", &t, err, sizeof err), CR_EINVAL);
	assert_int_equal(client_addr_parse_trust("10.0.0.0/", &t, err, sizeof err), CR_EINVAL);
}

static void cidrs_match_by_prefix_in_both_families(void **state)
{
	(void)state;
	struct client_trust t = trust("10.0.0.0/8,192.168.1.128/25,fd00::/8,::1");
	assert_true(client_addr_trusted(&t, "10.200.3.4"));
	assert_false(client_addr_trusted(&t, "11.0.0.1"));
	assert_true(client_addr_trusted(&t, "192.168.1.200"));
	assert_false(client_addr_trusted(&t, "192.168.1.127"));
	assert_true(client_addr_trusted(&t, "fd12::1"));
	assert_false(client_addr_trusted(&t, "fe80::1"));
	assert_true(client_addr_trusted(&t, "::1"));
	assert_true(client_addr_trusted(&t, "::ffff:10.1.2.3")); /* IPv4-mapped */
	assert_false(client_addr_trusted(&t, "not an address"));
}

static void an_untrusted_peer_is_the_client_whatever_it_sends(void **state)
{
	(void)state;
	struct client_trust t = trust("10.0.0.0/8");
	assert_string_equal(resolve_xff(&t, "203.0.113.9", "1.2.3.4"), "203.0.113.9");
	struct client_trust none = trust("");
	assert_string_equal(resolve_xff(&none, "127.0.0.1", "1.2.3.4"), "127.0.0.1");
}

static void the_rightmost_untrusted_hop_is_the_client(void **state)
{
	(void)state;
	struct client_trust t = trust("10.0.0.0/8");
	/* the client wrote "6.6.6.6" itself; the proxy appended its peer */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "6.6.6.6, 198.51.100.7"), "198.51.100.7");
	/* two proxies of ours in a row */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "6.6.6.6,198.51.100.7 , 10.9.9.9"),
			    "198.51.100.7");
	/* every hop ours: the leftmost */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "10.1.1.1, 10.2.2.2"), "10.1.1.1");
	/* no header from a trusted proxy: the proxy */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", NULL), "10.0.0.1");
	/* garbage from the right: stop at the trusted hop */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "1.2.3.4, unknown"), "10.0.0.1");
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "junk, 10.3.3.3"), "10.3.3.3");
	/* ports, brackets, IPv6 and mapped addresses come out canonical */
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "198.51.100.7:5555"), "198.51.100.7");
	assert_string_equal(resolve_xff(&t, "10.0.0.1", "[2001:DB8::0:1]:80"), "2001:db8::1");
	assert_string_equal(resolve_xff(&t, "::ffff:10.0.0.1", "::ffff:198.51.100.7"),
			    "198.51.100.7");
}

static void later_header_lines_are_further_right(void **state)
{
	(void)state;
	struct client_trust t = trust("10.0.0.0/8");
	const char *v[2] = {"6.6.6.6", "198.51.100.7"};
	char out[CLIENT_ADDR_CHARS];
	client_addr_resolve(&t, "10.0.0.1", v, 2, NULL, 0, out, sizeof out);
	assert_string_equal(out, "198.51.100.7");
}

static void forwarded_for_is_read_when_there_is_no_xff(void **state)
{
	(void)state;
	struct client_trust t = trust("10.0.0.0/8");
	const char *fwd[1] = {
		"for=6.6.6.6;proto=http, For=\"[2001:db8:cafe::17]:4711\";by=10.0.0.1"};
	char out[CLIENT_ADDR_CHARS];
	client_addr_resolve(&t, "10.0.0.1", NULL, 0, fwd, 1, out, sizeof out);
	assert_string_equal(out, "2001:db8:cafe::17");
	const char *hidden[1] = {"for=_hidden"};
	client_addr_resolve(&t, "10.0.0.1", NULL, 0, hidden, 1, out, sizeof out);
	assert_string_equal(out, "10.0.0.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lists_parse_and_bad_items_are_named),
		cmocka_unit_test(cidrs_match_by_prefix_in_both_families),
		cmocka_unit_test(an_untrusted_peer_is_the_client_whatever_it_sends),
		cmocka_unit_test(the_rightmost_untrusted_hop_is_the_client),
		cmocka_unit_test(later_header_lines_are_further_right),
		cmocka_unit_test(forwarded_for_is_read_when_there_is_no_xff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

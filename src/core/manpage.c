/* The manual page from the settings table. See include/casereel/manpage.h. */
#include "casereel/manpage.h"

#include <stdio.h>
#include <stdlib.h>

#include "casereel/config.h"

/* Text as roff reads it: a backslash is \e, and a line never starts with
 * a control character ('.' or '\''). */
static void text(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

static const char head[] =
	".TH CASEREEL 1 \"\" \"casereel\" \"User Commands\"\n.nh\n"
	".SH NAME\n"
	"casereel \\- short-video learning feed server for contact centers\n"
	".SH SYNOPSIS\n"
	".B casereel serve\n[\\fIOPTION\\fR ...]\n.br\n"
	".B casereel admin create\n\\fIUSERNAME\\fR [\\fB\\-\\-data\\fR \\fIDIR\\fR]\n.br\n"
	".B casereel backup\n\\fIDEST\\fR [\\fB\\-\\-data\\fR \\fIDIR\\fR]\n.br\n"
	".B casereel restore\n\\fISRC\\fR [\\fB\\-\\-data\\fR \\fIDIR\\fR]\n.br\n"
	".B casereel man\n"
	".SH DESCRIPTION\n"
	"casereel serves a vertical feed of short case clips that contact-center agents record "
	"and upload, with review, learning paths, points and a web client, from one process "
	"with an SQLite database and a media directory.\n"
	".SH COMMANDS\n"
	".TP\n.B serve\n"
	"Runs the server until SIGTERM or SIGINT.\n"
	".TP\n.BI \"admin create \" USERNAME\n"
	"Makes an admin account; the password is read from standard input.\n"
	".TP\n.BI \"backup \" DEST\n"
	"Copies the database (online, from one snapshot), the media key and a manifest of the "
	"media files into \\fIDEST\\fR; then copy the media tree with rsync.\n"
	".TP\n.BI \"restore \" SRC\n"
	"Restores a backup into a data directory that holds no database.\n"
	".TP\n.B man\n"
	"Prints this page.\n"
	".SH OPTIONS\n"
	"Every option is also read from the environment variable named with it; an option on "
	"the command line wins over the environment. A value follows the option "
	"(\\fB\\-\\-port 8080\\fR or \\fB\\-\\-port=8080\\fR); an on/off option given alone "
	"means 1.\n";

static const char tail[] =
	".SH FILES\n"
	".TP\n.I DATA/casereel.db\n"
	"The database (SQLite in WAL mode), under the data directory (\\fB\\-\\-data\\fR; "
	"\\fI/var/lib/casereel\\fR under the systemd unit). \\fIDATA/media\\fR holds the "
	"clips unless \\fB\\-\\-media\\fR says otherwise.\n"
	".TP\n.I PREFIX/share/casereel/web\n"
	".PD 0\n.TP\n.I PREFIX/share/casereel/seeds/demo.json\n.PD\n"
	"The web client and the demo seed, found next to the executable when "
	"\\fB\\-\\-web\\fR and \\fB\\-\\-seed\\fR are relative and missing from the working "
	"directory: PREFIX is the directory above the one holding \\fBcasereel\\fR "
	"(\\fI/usr/local\\fR after \\fBmake install\\fR).\n"
	".TP\n.I /etc/default/casereel\n"
	"CASEREEL_* settings for the systemd unit \\fIcasereel.service\\fR "
	"(\\fIPREFIX/lib/systemd/system\\fR), one \\fINAME=value\\fR a line.\n"
	".SH SIGNALS\n"
	"SIGTERM or SIGINT stops taking connections, lets the requests in flight finish, "
	"stops the transcode workers (an unfinished job is taken up again at the next start) "
	"and exits 0.\n"
	".SH EXIT STATUS\n"
	"0 on success, 1 when the server or a command failed, 2 for a usage or configuration "
	"error.\n"
	".SH EXAMPLES\n"
	".EX\n"
	"casereel serve \\-\\-bind 0.0.0.0 \\-\\-port 8080 \\-\\-data /var/lib/casereel\n"
	"echo \\(aqa long passphrase\\(aq | casereel admin create alice \\-\\-data "
	"/var/lib/casereel\n"
	"CASEREEL_DEMO=1 casereel serve \\-\\-data /tmp/demo\n"
	".EE\n"
	".SH SEE ALSO\n"
	".BR systemd.exec (5),\n"
	".BR sqlite3 (1)\n";

int manpage_write(void *out)
{
	FILE *f = out;
	struct cr_config *defaults = malloc(sizeof *defaults);
	if (!defaults)
		return 1;
	config_defaults(defaults);
	fputs(head, f);
	struct config_option o;
	for (size_t i = 0; config_option_at(i, defaults, &o); i++) {
		fputs(".TP\n\\fB", f);
		text(f, "--");
		text(f, o.flag);
		fputs(o.is_bool ? "\\fR [\\fI0|1\\fR]\n" : "\\fR \\fIVALUE\\fR\n", f);
		text(f, o.help);
		fputs(".\n.br\nEnvironment: \\fB", f);
		text(f, o.env);
		fputs("\\fR. Default: ", f);
		if (o.value[0]) {
			fputs("\\fB", f);
			text(f, o.value);
			fputs("\\fR.\n", f);
		} else {
			fputs("none.\n", f);
		}
	}
	fputs(tail, f);
	free(defaults);
	return fflush(f) != 0 || ferror(f) ? 1 : 0;
}

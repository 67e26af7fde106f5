# transcode library + CLI; included by the top Makefile (which provides BUILD,
# BINDIR, CFLAGS, LDFLAGS, AV_LIBS and the $(BUILD)/%.o pattern rule).
TRANSCODE_SRCS := $(filter-out transcode/cli.c,$(wildcard transcode/*.c))
TRANSCODE_OBJS := $(TRANSCODE_SRCS:%.c=$(BUILD)/%.o)
TRANSCODE_LIB  := $(BUILD)/libcasereel-transcode.a
TRANSCODE_BIN  := $(BINDIR)/casereel-transcode
TRANSCODE_CLI_OBJ := $(BUILD)/transcode/cli.o
JANSSON_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null)

$(TRANSCODE_LIB): $(TRANSCODE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(TRANSCODE_BIN): $(TRANSCODE_CLI_OBJ) $(TRANSCODE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) $(AV_LIBS) -lpthread -lm

-include $(TRANSCODE_CLI_OBJ:.o=.d)

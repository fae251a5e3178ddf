package cli

import (
	"bytes"
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
)

func testCommand() Command {
	return Command{
		Name: "tool", Synopsis: "--n N up|down", Summary: "tool does things.",
		Args: []string{"up", "down"}, Examples: []string{"tool --n 2 up  # up twice"}, ExitCodes: []string{"0  done", "2  bad use"},
	}
}

func parse(c Command, args ...string) (code int, ok bool, stdout, stderr string) {
	flags := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	flags.Int("n", 1, "how many times")
	var out, errOut bytes.Buffer
	code, ok = c.Parse(flags, args, &out, &errOut)
	return code, ok, out.String(), errOut.String()
}

func TestHelpGoesToStdoutAndSucceeds(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		code, ok, stdout, stderr := parse(testCommand(), arg)
		assert.Equal(t, 0, code, "%s exits 0", arg)
		assert.False(t, ok, "%s: nothing else runs", arg)
		assert.Empty(t, stderr, "%s", arg)
		for _, part := range []string{"tool does things.", "usage: tool --n N up|down", "-n int", "how many times", "examples:", "tool --n 2 up", "exit status:", "2  bad use"} {
			assert.Contains(t, stdout, part, "%s prints %q", arg, part)
		}
	}
}

func TestBadUseIsExitTwoOnStderr(t *testing.T) {
	noArgs := testCommand()
	noArgs.Args = nil
	for _, tc := range []struct {
		name string
		c    Command
		args []string
		want string
	}{
		{"unknown flag", testCommand(), []string{"--m", "1", "up"}, "flag provided but not defined: -m"},
		{"stray argument", noArgs, []string{"--n", "2", "extra"}, `tool: unexpected argument "extra"`},
		{"no argument", testCommand(), []string{"--n", "2"}, "takes one of up, down, got 0 arguments"},
		{"unknown argument", testCommand(), []string{"sideways"}, `"sideways" is not one of up, down`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, ok, stdout, stderr := parse(tc.c, tc.args...)
			assert.Equal(t, 2, code)
			assert.False(t, ok)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.want)
			assert.Contains(t, stderr, "usage: tool --n N up|down (see --help)")
		})
	}
	code, ok, _, _ := parse(testCommand(), "--n", "3", "down")
	assert.Equal(t, 0, code)
	assert.True(t, ok, "a good use runs")
}

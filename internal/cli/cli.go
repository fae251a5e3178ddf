// Package cli gives the repository's commands (synth, simulate, localstack) the behaviour of
// the tools around them: -h/--help prints what the command does, its flags, examples and exit
// codes to stdout and exits 0; a bad flag or a stray argument is an error, exit 2.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Command describes a command for its help and its argument checks.
type Command struct {
	// Name is the command's name, as in `go run ./cmd/<Name>`.
	Name string
	// Synopsis is its usage line without the name, e.g. "--stack NAME [flags]".
	Synopsis string
	// Summary says what it does, in a paragraph.
	Summary string
	// Args are the positional arguments it takes, by value; none when empty.
	Args []string
	// Examples are command lines, each with what it does after " # ".
	Examples []string
	// ExitCodes explain each exit status, "0 ..." first.
	ExitCodes []string
}

// Parse parses args into flags. With -h or --help it prints the help to stdout and returns
// (0, false); a bad flag, a stray argument or a positional argument not in Args goes to stderr
// with the usage line and returns (2, false); otherwise (0, true) and flags.Args() holds the
// positional argument, if the command takes one.
func (c Command) Parse(flags *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, ok bool) {
	var parseErrors bytes.Buffer
	flags.SetOutput(&parseErrors)
	flags.Usage = func() {}
	err := flags.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.help(flags, stdout)
		return 0, false
	case err != nil:
		return c.usageError(stderr, strings.TrimSpace(err.Error())), false
	}
	rest := flags.Args()
	switch {
	case len(c.Args) == 0 && len(rest) > 0:
		return c.usageError(stderr, fmt.Sprintf("unexpected argument %q", rest[0])), false
	case len(c.Args) > 0 && len(rest) != 1:
		return c.usageError(stderr, fmt.Sprintf("takes one of %s, got %d arguments", strings.Join(c.Args, ", "), len(rest))), false
	case len(c.Args) > 0 && !slices.Contains(c.Args, rest[0]):
		return c.usageError(stderr, fmt.Sprintf("%q is not one of %s", rest[0], strings.Join(c.Args, ", "))), false
	}
	return 0, true
}

// UsageError reports a bad use found after parsing (a missing required flag): the message and
// the usage line on stderr; it returns exit status 2.
func (c Command) UsageError(stderr io.Writer, msg string) int { return c.usageError(stderr, msg) }

func (c Command) usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "%s: %s\nusage: %s %s (see --help)\n", c.Name, msg, c.Name, c.Synopsis)
	return 2
}

func (c Command) help(flags *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "%s\n\nusage: %s %s\n\nflags:\n", c.Summary, c.Name, c.Synopsis)
	flags.SetOutput(w)
	flags.PrintDefaults()
	fmt.Fprintln(w, "\nexamples:")
	for _, e := range c.Examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintln(w, "\nexit status:")
	for _, e := range c.ExitCodes {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

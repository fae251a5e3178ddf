// Command ociimage packs files into a one-layer OCI image layout tarball that
// `ctr -n k8s.io images import` accepts, so the test environment can load binaries it builds
// from source into containerd without a registry or docker.
//
// Usage:
//
//	ociimage -name openwan.local/standin:1 -out standin.tar -file /standin=./standin \
//	  [-file /DEST=SRC ...] -entrypoint /standin [-user 10001:10001] [-env K=V ...]
//
// The tarball depends only on the flags' values and the files' contents, not on the files'
// mtimes, owners or source paths, nor on the order of -file flags: a rebuild from the same
// sources gives the same digests, so containerd and the kubelet see the same image.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ociimage:", err)
		os.Exit(1)
	}
}

// Errors a caller can tell apart with errors.Is; each is wrapped with the offending value.
var (
	errMissingFlag = errors.New("missing flag")
	errBadName     = errors.New("bad -name")
	errBadFile     = errors.New("bad -file")
	errBadFlag     = errors.New("bad flag")
)

type fileSpec struct{ dst, src string }

type options struct {
	name, tag, out, entrypoint, user string
	files                            []fileSpec
	env                              []string
}

// listFlag collects a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	var files, env listFlag
	fs := flag.NewFlagSet("ociimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.name, "name", "", "image name with registry host and tag, e.g. openwan.local/standin:1")
	fs.StringVar(&o.out, "out", "", "the tarball to write")
	fs.Var(&files, "file", "/DEST=SRC: put file SRC at /DEST in the image, mode 0755 (repeatable)")
	fs.StringVar(&o.entrypoint, "entrypoint", "", "the command the container runs: one of the -file destinations")
	fs.StringVar(&o.user, "user", "", "uid[:gid] the container runs as (default root)")
	fs.Var(&env, "env", "K=V in the container's environment (repeatable; PATH defaults to /bin)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errBadFlag, fs.Arg(0))
	}
	for _, f := range []struct{ name, value string }{{"-name", o.name}, {"-out", o.out}, {"-entrypoint", o.entrypoint}} {
		if f.value == "" {
			return o, fmt.Errorf("%w: %s is required", errMissingFlag, f.name)
		}
	}
	if len(files) == 0 {
		return o, fmt.Errorf("%w: at least one -file /DEST=SRC is required", errMissingFlag)
	}
	var err error
	if o.tag, err = parseName(o.name); err != nil {
		return o, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		dst, src, ok := strings.Cut(f, "=")
		switch {
		case !ok || src == "":
			return o, fmt.Errorf("%w: %q: want /DEST=SRC", errBadFile, f)
		case !strings.HasPrefix(dst, "/") || dst == "/" || path.Clean(dst) != dst:
			return o, fmt.Errorf("%w: %q: the destination must be a clean absolute path, not the root", errBadFile, f)
		case seen[dst]:
			return o, fmt.Errorf("%w: %q: %s is given twice", errBadFile, f, dst)
		}
		seen[dst] = true
		o.files = append(o.files, fileSpec{dst, src})
	}
	if !seen[o.entrypoint] {
		return o, fmt.Errorf("%w: -entrypoint %s is none of the -file destinations", errBadFlag, o.entrypoint)
	}
	if o.user != "" && !userRE.MatchString(o.user) {
		return o, fmt.Errorf("%w: -user %q: want uid[:gid]", errBadFlag, o.user)
	}
	keys := map[string]bool{}
	for _, kv := range env {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || keys[k] {
			return o, fmt.Errorf("%w: -env %q: want K=V, each K once", errBadFlag, kv)
		}
		keys[k] = true
	}
	if !keys["PATH"] {
		o.env = append(o.env, "PATH=/bin")
	}
	o.env = append(o.env, env...)
	return o, nil
}

var (
	userRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?$`)
	tagRE  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	hostRE = regexp.MustCompile(`^(localhost|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z0-9-]+|[A-Za-z0-9.-]+:[0-9]+)$`)
	pathRE = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$`)
)

// parseName checks that name is HOST/PATH:TAG and returns the tag. The host is required because
// the kubelet normalizes a host-less name to docker.io/library/NAME, which is not the name ctr
// imported, and the pod would then try to pull from Docker Hub.
func parseName(name string) (string, error) {
	if strings.Contains(name, "@") {
		return "", fmt.Errorf("%w: %q: a digest cannot be imported under a name; use HOST/PATH:TAG", errBadName, name)
	}
	colon := strings.LastIndex(name, ":")
	if colon < strings.LastIndex(name, "/") || colon < 0 {
		return "", fmt.Errorf("%w: %q has no tag; want HOST/PATH:TAG", errBadName, name)
	}
	repo, tag := name[:colon], name[colon+1:]
	if !tagRE.MatchString(tag) {
		return "", fmt.Errorf("%w: %q: tag %q is not a valid tag", errBadName, name, tag)
	}
	host, rest, ok := strings.Cut(repo, "/")
	if !ok || !hostRE.MatchString(host) {
		return "", fmt.Errorf("%w: %q has no registry host; want HOST/PATH:TAG, e.g. openwan.local/%s", errBadName, name, repo)
	}
	for _, c := range strings.Split(rest, "/") {
		if !pathRE.MatchString(c) {
			return "", fmt.Errorf("%w: %q: path component %q must be lower case letters, digits and separators", errBadName, name, c)
		}
	}
	return tag, nil
}

// run reads the files and writes the tarball next to -out before renaming it into place, so a
// failed run leaves no half-written image for a build to import.
func run(args []string, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, f := range o.files {
		data, err := os.ReadFile(f.src)
		if err != nil {
			return fmt.Errorf("-file %s=%s: %w", f.dst, f.src, err)
		}
		files[strings.TrimPrefix(f.dst, "/")] = data
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.out), ".ociimage-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := writeImage(w, o, files); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), o.out)
}

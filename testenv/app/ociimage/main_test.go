package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sources writes two stand-in binaries and returns their paths.
func sources(t *testing.T) (bin, helper string) {
	t.Helper()
	dir := t.TempDir()
	bin, helper = filepath.Join(dir, "metrics-server"), filepath.Join(dir, "helper")
	if err := os.WriteFile(bin, []byte("\x7fELF pretend metrics-server"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(helper, []byte("helper bytes"), 0o640); err != nil {
		t.Fatal(err)
	}
	return bin, helper
}

const fullName = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"

func pack(t *testing.T, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "image.tar")
	if err := run(append(args, "-out", out), io.Discard); err != nil {
		t.Fatalf("run: %v", err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type member struct {
	hdr  *tar.Header
	data []byte
}

// untar reads every member of a tar archive, in order.
func untar(t *testing.T, b []byte) []member {
	t.Helper()
	var ms []member
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return ms
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, member{hdr, data})
	}
}

// blob returns the blob d names and checks its digest and size against d.
func blob(t *testing.T, files map[string][]byte, d descriptor) []byte {
	t.Helper()
	b, ok := files["blobs/sha256/"+strings.TrimPrefix(d.Digest, "sha256:")]
	if !ok {
		t.Fatalf("no blob for %s", d.Digest)
	}
	if digestOf(b) != d.Digest || int64(len(b)) != d.Size {
		t.Fatalf("blob %s: digest %s size %d; descriptor says %s size %d", d.MediaType, digestOf(b), len(b), d.Digest, d.Size)
	}
	return b
}

func decode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
}

func TestRoundTrip(t *testing.T) {
	bin, helper := sources(t)
	outer := untar(t, pack(t, "-name", fullName, "-file", "/metrics-server="+bin, "-file", "/bin/helper="+helper,
		"-entrypoint", "/metrics-server", "-user", "10001:10001", "-env", "GOGC=50"))

	files := map[string][]byte{}
	var names []string
	for _, m := range outer {
		names = append(names, m.hdr.Name)
		files[m.hdr.Name] = m.data
	}
	if !slices.IsSorted(names) {
		t.Errorf("outer tar not sorted: %v", names)
	}
	if got := string(files["oci-layout"]); got != `{"imageLayoutVersion":"1.0.0"}` {
		t.Errorf("oci-layout = %q", got)
	}

	var idx index
	decode(t, files["index.json"], &idx)
	if idx.SchemaVersion != 2 || idx.MediaType != mediaIndex || len(idx.Manifests) != 1 {
		t.Fatalf("index.json = %+v", idx)
	}
	md := idx.Manifests[0]
	if md.MediaType != mediaManifest || md.Annotations["io.containerd.image.name"] != fullName ||
		md.Annotations["org.opencontainers.image.ref.name"] != "v0.8.0" {
		t.Errorf("manifest descriptor = %+v; want the full name and the tag as annotations", md)
	}

	var man manifest
	decode(t, blob(t, files, md), &man)
	if man.SchemaVersion != 2 || man.MediaType != mediaManifest || man.Config.MediaType != mediaConfig ||
		len(man.Layers) != 1 || man.Layers[0].MediaType != mediaLayer {
		t.Fatalf("manifest = %+v", man)
	}
	var cfg imageConfig
	decode(t, blob(t, files, man.Config), &cfg)
	layer := blob(t, files, man.Layers[0])
	if len(files) != 2+3+2 { // oci-layout, index.json, three blobs, two directories
		t.Errorf("outer tar holds %v; want exactly the layout and three blobs", names)
	}

	if cfg.Architecture != "amd64" || cfg.OS != "linux" || cfg.RootFS.Type != "layers" ||
		!slices.Equal(cfg.RootFS.DiffIDs, []string{digestOf(layer)}) || len(cfg.History) != 1 {
		t.Errorf("config = %+v; want amd64/linux with the layer's sha256 as its one diff_id", cfg)
	}
	if c := cfg.Config; !slices.Equal(c.Entrypoint, []string{"/metrics-server"}) || c.User != "10001:10001" ||
		!slices.Equal(c.Env, []string{"PATH=/bin", "GOGC=50"}) {
		t.Errorf("container config = %+v", c)
	}

	type want struct {
		name string
		mode int64
		typ  byte
		data string
	}
	var got []want
	for _, m := range untar(t, layer) {
		h := m.hdr
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(time.Unix(0, 0)) {
			t.Errorf("layer member %s: uid %d gid %d %q %q mtime %v; want root, no names, the epoch", h.Name, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime)
		}
		got = append(got, want{h.Name, h.Mode, h.Typeflag, string(m.data)})
	}
	wantLayer := []want{
		{"bin/", 0o755, tar.TypeDir, ""},
		{"bin/helper", 0o755, tar.TypeReg, "helper bytes"},
		{"etc/", 0o755, tar.TypeDir, ""},
		{"etc/group", 0o644, tar.TypeReg, group},
		{"etc/passwd", 0o644, tar.TypeReg, passwd},
		{"metrics-server", 0o755, tar.TypeReg, "\x7fELF pretend metrics-server"},
		{"tmp/", 0o1777, tar.TypeDir, ""},
	}
	if !slices.Equal(got, wantLayer) {
		t.Errorf("layer =\n%v\nwant\n%v", got, wantLayer)
	}
	if !strings.Contains(passwd, "app:x:10001:10001:") || !strings.Contains(group, "app:x:10001:") {
		t.Errorf("passwd/group lack the app user 10001")
	}
}

// TestDeterministic packs the same inputs twice, with the sources' mtimes and modes changed and
// the -file flags reordered in between: the tarballs must be byte-identical.
func TestDeterministic(t *testing.T) {
	bin, helper := sources(t)
	a := pack(t, "-name", fullName, "-file", "/metrics-server="+bin, "-file", "/bin/helper="+helper, "-entrypoint", "/metrics-server")
	if err := os.Chtimes(bin, time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(helper, 0o755); err != nil {
		t.Fatal(err)
	}
	b := pack(t, "-file", "/bin/helper="+helper, "-name", fullName, "-entrypoint", "/metrics-server", "-file", "/metrics-server="+bin)
	if !bytes.Equal(a, b) {
		t.Errorf("two packs of the same inputs differ (%d and %d bytes)", len(a), len(b))
	}
	c := pack(t, "-name", "openwan.local/other:1", "-file", "/metrics-server="+bin, "-file", "/bin/helper="+helper, "-entrypoint", "/metrics-server")
	if bytes.Equal(a, c) {
		t.Errorf("a different name packed to the same bytes")
	}
}

func TestFlagErrors(t *testing.T) {
	bin, _ := sources(t)
	out := filepath.Join(t.TempDir(), "x.tar")
	ok := []string{"-name", "openwan.local/standin:1", "-out", out, "-file", "/standin=" + bin, "-entrypoint", "/standin"}
	with := func(flag, value string) []string {
		args := slices.Clone(ok)
		i := slices.Index(args, flag)
		if value == "" {
			return slices.Delete(args, i, i+2)
		}
		args[i+1] = value
		return args
	}
	for _, tc := range []struct {
		args []string
		want error
		msg  string
	}{
		{with("-name", ""), errMissingFlag, "-name is required"},
		{with("-out", ""), errMissingFlag, "-out is required"},
		{with("-file", ""), errMissingFlag, "-file /DEST=SRC is required"},
		{with("-entrypoint", ""), errMissingFlag, "-entrypoint is required"},
		{with("-file", "/standin"), errBadFile, "want /DEST=SRC"},
		{with("-file", "standin="+bin), errBadFile, "clean absolute path"},
		{with("-file", "/a/../standin="+bin), errBadFile, "clean absolute path"},
		{append(slices.Clone(ok), "-file", "/standin="+bin), errBadFile, "given twice"},
		{append(slices.Clone(ok), "-file", "/tmp="+bin), errBadFile, "both a file and a directory"},
		{with("-name", "openwan.local/standin"), errBadName, "no tag"},
		{with("-name", "localhost:5000/standin"), errBadName, "no tag"},
		{with("-name", "standin:1"), errBadName, "no registry host"},
		{with("-name", "openwan.local/Standin:1"), errBadName, "lower case"},
		{with("-name", "openwan.local/standin@sha256:00"), errBadName, "digest"},
		{with("-entrypoint", "/pause"), errBadFlag, "none of the -file destinations"},
		{append(slices.Clone(ok), "-env", "NOEQUALS"), errBadFlag, "want K=V"},
		{append(slices.Clone(ok), "-user", "1:2:3"), errBadFlag, "want uid[:gid]"},
		{append(slices.Clone(ok), "stray"), errBadFlag, "unexpected argument"},
		{with("-file", "/standin="+bin+".missing"), os.ErrNotExist, "-file /standin="},
	} {
		err := run(tc.args, io.Discard)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("run(%q) = %v; want %v mentioning %q", tc.args, err, tc.want, tc.msg)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed run left %s behind", out)
	}
	if err := run([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("run(-h) = %v; want flag.ErrHelp", err)
	}
	for _, name := range []string{fullName, "openwan.local/standin:1", "localhost/x:y", "localhost:5000/a/b:c", "docker.io/library/busybox:1.36"} {
		if _, err := parseName(name); err != nil {
			t.Errorf("parseName(%q) = %v; want it accepted", name, err)
		}
	}
}

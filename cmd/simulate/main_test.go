package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSimulateWritesSummaryPlotAndSeries(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--stack", "prod", "--dir", "../..", "--trace", "spike", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr %s", code, stderr.String())
	}
	for _, fleet := range []string{"eks-api", "eks-worker", "ec2-api", "ec2-worker"} {
		if !strings.Contains(stdout.String(), fleet) {
			t.Errorf("summary lacks fleet %s:\n%s", fleet, stdout.String())
		}
	}
	for _, ext := range []string{".svg", ".png", ".csv"} {
		info, err := os.Stat(filepath.Join(out, "prod-spike"+ext))
		if err != nil || info.Size() < 1000 {
			t.Errorf("prod-spike%s: %v, %d bytes; want a written file", ext, err, sizeOf(info))
		}
	}
	png, _ := os.ReadFile(filepath.Join(out, "prod-spike.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("prod-spike.png is not a PNG")
	}
}

func sizeOf(info os.FileInfo) int64 {
	if info == nil {
		return 0
	}
	return info.Size()
}

func TestSimulateReadsACSVTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "lb-export.csv")
	if err := os.WriteFile(trace, []byte("seconds,requests_per_minute,queue_depth\n0,500,5\n600,3000,5\n1800,500,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--stack", "dev", "--dir", "../..", "--trace", trace, "--out", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d, stderr %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "trace lb-export") {
		t.Errorf("summary does not name the trace:\n%s", stdout.String())
	}
}

func TestSimulateRejects(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--stack", "prod"}, 2, "--stack and --trace are required"},
		{[]string{"--stack", "prod", "--dir", "../..", "--trace", "no-such-trace"}, 1, `trace "no-such-trace" is neither a built-in`},
		{[]string{"--stack", "nope", "--dir", "../..", "--trace", "spike"}, 1, "Pulumi.nope.yaml"},
		{[]string{"--stack", "prod", "--trace", "spike", "--interrupt", "ec2-api@5m:1"}, 2, `"ec2-api@5m:1" is not FLEET@OFFSET:COUNT`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("run(%q) = %d, stderr %q; want %d, %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}

func TestParseInterruptions(t *testing.T) {
	got, err := parseInterruptions("eks-worker@1h:1,ec2-worker@20m:2")
	if err != nil || len(got) != 2 || got[0].Fleet != "ec2-worker" || got[0].At != 20*time.Minute || got[0].Count != 2 || got[1].Fleet != "eks-worker" {
		t.Errorf("parseInterruptions = %+v, %v; want ec2-worker at 20m x2, then eks-worker at 1h", got, err)
	}
}

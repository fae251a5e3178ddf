package config

import (
	"testing"
	"time"
)

func TestParseCronRejects(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"0 8 * *", "want 5 fields (minute hour day-of-month month day-of-week), got 4"},
		{"60 8 * * *", `minute field "60": 60 is outside [0, 59]`},
		{"0 8 * * FUN", `day of week field "FUN": "FUN" is not a number`},
		{"0 8 * * FRI-MON", `day of week field "FRI-MON": range "FRI-MON" runs backwards`},
		{"*/0 8 * * *", `minute field "*/0": step "0" is not a positive number`},
		{"0 8 0 * *", `day of month field "0": 0 is outside [1, 31]`},
	}
	for _, tt := range tests {
		_, err := ParseCron(tt.expr)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseCron(%q) error = %v, want %q", tt.expr, err, tt.want)
		}
	}
}

func TestCronMatches(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		expr string
		at   string
		want bool
	}{
		{"0 8 * * MON-FRI", "2026-11-30 08:00", true},  // Monday
		{"0 8 * * MON-FRI", "2026-11-28 08:00", false}, // Saturday
		{"0 8 * * MON-FRI", "2026-11-30 08:01", false},
		{"0 22 * * *", "2026-11-29 22:00", true},
		{"0 22 * * *", "2026-11-29 21:00", false},
		{"*/15 * * * *", "2026-11-29 21:45", true},
		{"*/15 * * * *", "2026-11-29 21:46", false},
		{"0 0 1 * 7", "2026-11-29 00:00", true}, // Sunday, day 29: either day field matches
		{"0 0 1 JAN *", "2027-01-01 00:00", true},
		{"0 0 1 JAN *", "2027-02-01 00:00", false},
	}
	for _, tt := range tests {
		c, err := ParseCron(tt.expr)
		if err != nil {
			t.Fatalf("ParseCron(%q) error = %v", tt.expr, err)
		}
		if got := c.Matches(at(tt.at)); got != tt.want {
			t.Errorf("ParseCron(%q).Matches(%s) = %v, want %v", tt.expr, tt.at, got, tt.want)
		}
	}
}

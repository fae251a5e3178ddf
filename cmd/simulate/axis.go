package main

import (
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
)

// valueTicks label a value axis at a step of 1, 2 or 5 times a power of ten that gives at most
// six labels, written with no more decimals than the step needs; whole: the step is a whole
// number, for a count axis (a range too short for the default ticks to fall on integers, 0 to
// 2.9, still gets its 0, 1 and 2).
type valueTicks struct{ whole bool }

func (t valueTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'f', -1, 64)}}
	}
	pow := math.Pow(10, math.Floor(math.Log10(hi-lo))-1)
	if t.whole {
		pow = math.Max(pow, 1)
	}
	step := pow
	for _, m := range []float64{1, 2, 5, 10, 20, 50, 100} {
		if step = m * pow; (hi-lo)/step <= 6 {
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var out []plot.Tick
	for i := math.Ceil(lo / step); i*step <= hi+step*1e-9; i++ {
		v := i * step
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return out
}

// timeAxis labels the hours from the trace's start as the clock ("08:00"), or as weekday and
// clock ("Mon 08:00") for traces of a day or more.
type timeAxis struct {
	start time.Time
	span  time.Duration
	// per is how much of the trace one point of a line stands for, when a panel holds fewer
	// points than the trace has samples (0: one sample each).
	per time.Duration
}

func (a timeAxis) label() string {
	text := "time of day"
	if a.span >= 24*time.Hour {
		text = "weekday and time"
	}
	if a.per > 0 {
		text += " (a point: " + shortDuration(a.per) + "'s mean; shaded: range)"
	}
	return text
}

// shortDuration drops a duration's zero seconds and minutes: 21m, 1h30m, 45s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if len(s) > 2 && s[len(s)-2:] == "0s" && d >= time.Minute {
		s = s[:len(s)-2]
	}
	if len(s) > 2 && s[len(s)-2:] == "0m" && d >= time.Hour {
		s = s[:len(s)-2]
	}
	return s
}

func (a timeAxis) Ticks(lo, hi float64) []plot.Tick {
	step := 0.25 // hours
	switch h := hi - lo; {
	case h > 48:
		step = 24
	case h > 24:
		step = 12
	case h > 6:
		step = 2
	case h > 2:
		step = 0.5
	}
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		at := a.start.Add(time.Duration(v * float64(time.Hour)))
		label := at.Format("15:04")
		switch {
		case step >= 24:
			label = at.Format("Mon")
		case a.span >= 24*time.Hour:
			label = at.Format("Mon 15:04")
		}
		out = append(out, plot.Tick{Value: v, Label: label})
	}
	return out
}

package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Graph is one time-series widget of a dashboard, in typed form: its lines and the horizontal
// lines drawn at the targets the lines are judged against.
type Graph struct {
	// Title is the widget's title.
	Title string
	// Lines are drawn in order: metrics, and expressions over their IDs.
	Lines []Line
	// Thresholds are horizontal annotations, each a target with its label.
	Thresholds []Threshold
	// Stat and PeriodSeconds are the metrics' default statistic and period (default "Average",
	// 60 s).
	Stat          string
	PeriodSeconds int
}

// Line is a metric (Namespace, Name, Dimensions, Stat) or, with Expression set, metric math.
type Line struct {
	// ID names the line for expressions (lower-case first letter); Label is its legend.
	ID, Label string
	// Namespace, Name and Dimensions (name, value pairs, in order) select a metric.
	Namespace, Name string
	Dimensions      [][2]string
	// Stat overrides the graph's statistic (e.g. "p95", "Sum").
	Stat string
	// Expression is metric math over other lines' IDs; Hidden lines feed it without drawing.
	Expression string
	Hidden     bool
}

// Threshold is a horizontal line at a target.
type Threshold struct {
	Label string
	Value float64
}

// widget, metricProperties and the rest are the dashboard body's JSON ("Dashboard Body Structure
// and Syntax", CloudWatch API reference).
type (
	body struct {
		Widgets []widget `json:"widgets"`
	}
	widget struct {
		Type       string           `json:"type"`
		X          int              `json:"x"`
		Y          int              `json:"y"`
		Width      int              `json:"width"`
		Height     int              `json:"height"`
		Properties metricProperties `json:"properties"`
	}
	metricProperties struct {
		Title       string       `json:"title"`
		Region      string       `json:"region"`
		View        string       `json:"view"`
		Stat        string       `json:"stat"`
		Period      int          `json:"period"`
		Metrics     [][]any      `json:"metrics"`
		Annotations *annotations `json:"annotations,omitempty"`
	}
	annotations struct {
		Horizontal []horizontal `json:"horizontal"`
	}
	horizontal struct {
		Label string  `json:"label"`
		Value float64 `json:"value"`
	}
)

// Widget size: two graphs side by side on the dashboard's 24 columns.
const (
	graphWidth  = 12
	graphHeight = 6
)

// Body renders graphs as a dashboard body: two per row, in order.
func Body(region string, graphs []Graph) (string, error) {
	var b body
	for i, g := range graphs {
		if len(g.Lines) == 0 {
			return "", fmt.Errorf("graph %q: no lines", g.Title)
		}
		p := metricProperties{Title: g.Title, Region: region, View: "timeSeries", Stat: g.Stat, Period: g.PeriodSeconds}
		if p.Stat == "" {
			p.Stat = "Average"
		}
		if p.Period == 0 {
			p.Period = 60
		}
		for _, l := range g.Lines {
			options := map[string]any{}
			if l.ID != "" {
				options["id"] = l.ID
			}
			if l.Label != "" {
				options["label"] = l.Label
			}
			if l.Hidden {
				options["visible"] = false
			}
			if l.Expression != "" {
				options["expression"] = l.Expression
				p.Metrics = append(p.Metrics, []any{options})
				continue
			}
			if l.Stat != "" {
				options["stat"] = l.Stat
			}
			row := []any{l.Namespace, l.Name}
			for _, d := range l.Dimensions {
				row = append(row, d[0], d[1])
			}
			p.Metrics = append(p.Metrics, append(row, options))
		}
		if len(g.Thresholds) > 0 {
			p.Annotations = &annotations{}
			for _, t := range g.Thresholds {
				p.Annotations.Horizontal = append(p.Annotations.Horizontal, horizontal(t))
			}
		}
		b.Widgets = append(b.Widgets, widget{Type: "metric", X: (i % 2) * graphWidth, Y: (i / 2) * graphHeight,
			Width: graphWidth, Height: graphHeight, Properties: p})
	}
	out, err := json.Marshal(b)
	return string(out), err
}

// Dashboard is one CloudWatch dashboard.
type Dashboard struct {
	pulumi.ResourceState

	// Dashboard is the CloudWatch dashboard; URL its address in the console.
	Dashboard *cloudwatch.Dashboard
	URL       pulumi.StringOutput
}

// DashboardArgs describe a dashboard whose graphs name resources known only once deployed.
type DashboardArgs struct {
	// Name is the dashboard's name; Region the region its metrics are in.
	Name, Region string
	// Names are the physical names the graphs select metrics by (groups, load balancers, the
	// cluster), by key; Graphs builds the graphs once they are known.
	Names  map[string]pulumi.StringInput
	Graphs func(names map[string]string) []Graph
}

func (a *DashboardArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.Name == "" {
		errs = append(errs, errors.New("Name: must not be empty"))
	}
	if a.Region == "" {
		errs = append(errs, errors.New("Region: must not be empty"))
	}
	if a.Graphs == nil {
		errs = append(errs, errors.New("Graphs: must be set"))
	}
	return errors.Join(errs...)
}

// NewDashboard declares the dashboard.
func NewDashboard(ctx *pulumi.Context, name string, args *DashboardArgs, opts ...pulumi.ResourceOption) (*Dashboard, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	d := &Dashboard{}
	if err := ctx.RegisterComponentResource("openwan:monitoring:Dashboard", name, d, opts...); err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(args.Names))
	inputs := make([]any, len(keys))
	for i, k := range keys {
		inputs[i] = args.Names[k]
	}
	bodyOut := pulumi.All(inputs...).ApplyT(func(values []any) (string, error) {
		names := map[string]string{}
		for i, k := range keys {
			names[k] = values[i].(string)
		}
		return Body(args.Region, args.Graphs(names))
	}).(pulumi.StringOutput)
	var err error
	d.Dashboard, err = cloudwatch.NewDashboard(ctx, name, &cloudwatch.DashboardArgs{
		DashboardName: pulumi.String(args.Name), DashboardBody: bodyOut,
	}, pulumi.Parent(d))
	if err != nil {
		return nil, err
	}
	d.URL = pulumi.Sprintf("https://%s.console.aws.amazon.com/cloudwatch/home?region=%s#dashboards:name=%s", args.Region, args.Region, args.Name)
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{"url": d.URL}); err != nil {
		return nil, err
	}
	return d, nil
}

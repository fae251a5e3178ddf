package configdoc

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/openwan/openwan-infra/capacity"
	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/internal/stackconfig"
	"github.com/openwan/openwan-infra/simulation"
)

// FiguresPath is the document whose figures block Figures renders, relative to the module root.
const FiguresPath = "docs/capacity-and-simulation.md"

// FiguresBlockName names the figures block of FiguresPath (Block).
const FiguresBlockName = "figures"

// FigureStacks are the stacks whose figures the docs quote: the two that deploy to AWS.
var FigureStacks = []string{"prod", "dev"}

// Figures renders the figures block: per stack, what the capacity plan and the simulator say of
// it, from its stack file in root. The docs quote money and time only from here, so that a
// change of a default or a price cannot leave a stale figure behind.
func Figures(root string) (string, error) {
	type column struct {
		cost     capacity.StackCost
		budget   capacity.BudgetPlan
		both     float64
		eks, ec2 float64
		ready    simulation.Readiness
		drain    map[string]time.Duration
		// burstJobs is the queue-burst trace's batch at the stack's peak (jobs).
		burstJobs float64
	}
	cols := make([]column, len(FigureStacks))
	for i, stack := range FigureStacks {
		cfg, _, err := stackconfig.FromFile(root, stack)
		if err != nil {
			return "", err
		}
		c := &cols[i]
		if c.cost, err = capacity.Cost(cfg); err != nil {
			return "", fmt.Errorf("stack %s: %w", stack, err)
		}
		c.budget = capacity.Budget(cfg.Alerts, c.cost)
		if c.both, c.eks, c.ec2, err = capacity.PathCosts(cfg); err != nil {
			return "", fmt.Errorf("stack %s: %w", stack, err)
		}
		if c.ready, err = simulation.ReadinessOf(cfg, simulation.Defaults()); err != nil {
			return "", fmt.Errorf("stack %s: %w", stack, err)
		}
		if c.drain, err = burstDrain(cfg); err != nil {
			return "", fmt.Errorf("stack %s: %w", stack, err)
		}
		// The batch scales with the stack's peak, as every built-in trace's rates do.
		c.burstJobs = simulation.BurstJobs * float64(cfg.Capacity.API.PeakRequestsPerMinute) / simulation.GuidePeakRequestsPerMinute
	}
	var b strings.Builder
	b.WriteString(blockBegin(FiguresBlockName) + "\n\n")
	b.WriteString("| figure (a month: 730 hours; USD) | " + strings.Join(FigureStacks, " | ") + " |\n")
	b.WriteString("|---" + strings.Repeat("|---", len(FigureStacks)) + "|\n")
	row := func(name string, cell func(c column) string) {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = cell(c)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	row("instances: min / baseline / max", func(c column) string {
		m := c.cost.MonthlyUSD
		return fmt.Sprintf("$%.2f / $%.2f / $%.2f", m.Min.Total, m.Baseline.Total, m.Max.Total)
	})
	row("platform on top (control plane, NAT, load balancers, volumes, logs, alarms, keys)", func(c column) string {
		return fmt.Sprintf("$%.2f", c.cost.Platform.MonthlyUSD)
	})
	row("headroom (within the baseline)", func(c column) string {
		if c.cost.Headroom == nil {
			return "none"
		}
		h := c.cost.Headroom
		return fmt.Sprintf("$%.2f: %d API placeholder pods on %d nodes", h.MonthlyUSD, h.APIPods, h.Nodes)
	})
	row("warm pool on top", func(c column) string {
		if c.cost.WarmPool == nil {
			return "none"
		}
		w := c.cost.WarmPool
		return fmt.Sprintf("$%.2f: %d stopped instances, %d GiB", w.MonthlyUSD, w.Instances, w.VolumeGiB)
	})
	row("a normal month (the budget's baseline)", func(c column) string { return fmt.Sprintf("$%.2f", c.budget.BaselineUSD) })
	row("budget limit", func(c column) string {
		return fmt.Sprintf("$%.2f (+%d %%; a normal month ends at %.0f %% of it)", c.budget.LimitUSD, c.budget.MarginPercent, 100*c.budget.BaselineUSD/c.budget.LimitUSD)
	})
	row("one path only: EKS alone / EC2 alone", func(c column) string { return fmt.Sprintf("$%.2f / $%.2f", c.eks, c.ec2) })
	row("5x spike: EKS API at capacity with / without the headroom", func(c column) string {
		if c.ready.Headroom == nil {
			return "no headroom"
		}
		return fmt.Sprintf("%s / %s", secondsText(c.ready.Headroom.WithSeconds), secondsText(c.ready.Headroom.WithoutSeconds))
	})
	row("a launched EC2 API instance serves, warm / cold", func(c column) string {
		if c.ready.WarmPool == nil {
			return "no warm pool"
		}
		return fmt.Sprintf("%s / %s", secondsText(c.ready.WarmPool.WithSeconds), secondsText(c.ready.WarmPool.WithoutSeconds))
	})
	row("the queue-burst trace's batch drains: EKS / EC2 workers", func(c column) string {
		return fmt.Sprintf("%s / %s (%.0f jobs)", durationText(c.drain["eks-worker"]), durationText(c.drain["ec2-worker"]), c.burstJobs)
	})
	d := config.Defaults().Capacity
	api, workers := capacity.Monthly(3, d.Prices["t3.medium"], d.HoursPerMonth), capacity.Monthly(2, d.Prices["c5.xlarge"], d.HoursPerMonth)
	fmt.Fprintf(&b, "\nThe guide's estimate, reproduced from the default prices: 3 x t3.medium $%.2f + 2 x c5.xlarge $%.2f = $%.2f.\n",
		api, workers, api+workers)
	b.WriteString("\n" + blockEnd(FiguresBlockName))
	return b.String(), nil
}

// burstDrain is each worker fleet's drain time of the queue-burst trace.
func burstDrain(cfg config.Config) (map[string]time.Duration, error) {
	trace, ok := simulation.Builtin("queue-burst", float64(cfg.Capacity.API.PeakRequestsPerMinute))
	if !ok {
		return nil, fmt.Errorf("no queue-burst trace")
	}
	res, err := simulation.Simulate(cfg, trace, simulation.Defaults())
	if err != nil {
		return nil, err
	}
	out := map[string]time.Duration{}
	for _, f := range res.Fleets {
		if f.Queue != nil {
			out[f.Name] = f.Queue.DrainTime
		}
	}
	return out, nil
}

func secondsText(s float64) string {
	if s < 0 {
		return "never"
	}
	return fmt.Sprintf("%.0f s", s)
}

func durationText(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "0s")
}

// WriteFigures rewrites the figures block of FiguresPath under root.
func WriteFigures(root string) error {
	block, err := Figures(root)
	if err != nil {
		return err
	}
	return WriteBlock(filepath.Join(root, FiguresPath), FiguresBlockName, block)
}

// moneyFigure is a dollar amount as the docs write one.
var moneyFigure = regexp.MustCompile(`\$[0-9][0-9,]*(\.[0-9]+)?`)

// QuotedMoneyOutsideFigures lists the dollar amounts doc quotes outside its generated blocks: a
// figure typed by hand, which drifts when a price or a default changes.
func QuotedMoneyOutsideFigures(doc []byte) []string {
	var out []string
	for _, m := range moneyFigure.FindAll(withoutBlocks(doc), -1) {
		out = append(out, string(m))
	}
	return out
}

package capacity

import "github.com/openwan/openwan-infra/config"

// BudgetPlan is the stack's monthly cost budget as the capacity plan derives it.
type BudgetPlan struct {
	// BaselineUSD is the plan's baseline month: the fleets at their scheduled baseline, the warm
	// pool's volumes and everything else the stack creates (StackCost.Platform).
	BaselineUSD float64 `json:"baselineUSD"`
	// MarginPercent is openwan:alerts.budget.marginPercent.
	MarginPercent int `json:"marginPercent"`
	// LimitUSD is the budget: the baseline plus the margin.
	LimitUSD float64 `json:"limitUSD"`
	// MaxUSD is a month with every fleet at its maximum (and the warm pool and the platform).
	MaxUSD float64 `json:"maxUSD"`
	// MaxExceedsLimit says that a month at the maximum would break the budget: expected of a
	// budget meant to catch a runaway scale-out, and worth knowing.
	MaxExceedsLimit bool `json:"maxExceedsLimit"`
}

// Budget derives the budget from the plan's cost.
func Budget(a config.Alerts, cost StackCost) BudgetPlan {
	warm := 0.0
	if cost.WarmPool != nil {
		warm = cost.WarmPool.MonthlyUSD
	}
	b := BudgetPlan{
		BaselineUSD:   cents(cost.MonthlyUSD.Baseline.Total + warm + cost.Platform.MonthlyUSD),
		MarginPercent: a.Budget.MarginPercent,
		MaxUSD:        cents(cost.MonthlyUSD.Max.Total + warm + cost.Platform.MonthlyUSD),
	}
	b.LimitUSD = cents(b.BaselineUSD * (1 + float64(a.Budget.MarginPercent)/100))
	b.MaxExceedsLimit = b.MaxUSD > b.LimitUSD
	return b
}

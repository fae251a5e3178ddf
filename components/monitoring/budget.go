package monitoring

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The budget's two notifications: spend so far past most of the month's limit, and AWS's
// forecast for the month past all of it.
const (
	ActualAlertPercent   = 80
	ForecastAlertPercent = 100
)

// Budget is an AWS Budgets monthly cost budget on the resources that carry one tag (a stack's
// cost-allocation tag), with notifications by e-mail.
type Budget struct {
	pulumi.ResourceState

	// Budget is the AWS Budgets budget.
	Budget *budgets.Budget
}

// BudgetArgs describe the budget.
type BudgetArgs struct {
	// LimitUSD is the monthly limit (USD, above 0).
	LimitUSD float64
	// TagKey and TagValue select the costs: every resource tagged TagKey=TagValue. The tag must
	// be activated as a cost-allocation tag in the account's Billing console.
	TagKey, TagValue string
	// Emails are told at ActualAlertPercent of the limit spent and at ForecastAlertPercent
	// forecast; none declares the budget without notifications (it still shows in the console).
	Emails []string
}

func (a *BudgetArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.LimitUSD <= 0 {
		errs = append(errs, fmt.Errorf("LimitUSD: %g is not above 0", a.LimitUSD))
	}
	if a.TagKey == "" || a.TagValue == "" {
		errs = append(errs, errors.New("TagKey: the tag and its value must both be set: an unfiltered budget watches the whole account"))
	}
	return errors.Join(errs...)
}

// NewBudget declares the budget.
func NewBudget(ctx *pulumi.Context, name string, args *BudgetArgs, opts ...pulumi.ResourceOption) (*Budget, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("budget %s: %w", name, err)
	}
	b := &Budget{}
	if err := ctx.RegisterComponentResource("openwan:monitoring:Budget", name, b, opts...); err != nil {
		return nil, err
	}
	var notifications budgets.BudgetNotificationArray
	if len(args.Emails) > 0 {
		notify := func(kind string, percent int) *budgets.BudgetNotificationArgs {
			return &budgets.BudgetNotificationArgs{
				NotificationType: pulumi.String(kind), ComparisonOperator: pulumi.String("GREATER_THAN"),
				Threshold: pulumi.Float64(float64(percent)), ThresholdType: pulumi.String("PERCENTAGE"),
				SubscriberEmailAddresses: pulumi.ToStringArray(args.Emails),
			}
		}
		notifications = budgets.BudgetNotificationArray{notify("ACTUAL", ActualAlertPercent), notify("FORECASTED", ForecastAlertPercent)}
	}
	var err error
	b.Budget, err = budgets.NewBudget(ctx, name, &budgets.BudgetArgs{
		Name:        pulumi.String(name),
		BudgetType:  pulumi.String("COST"),
		TimeUnit:    pulumi.String("MONTHLY"),
		LimitAmount: pulumi.String(strconv.FormatFloat(args.LimitUSD, 'f', 2, 64)),
		LimitUnit:   pulumi.String("USD"),
		// A user-defined cost-allocation tag is "user:<key>$<value>" in a TagKeyValue filter
		// (pulumi-aws budgets.Budget's own example: "user:business-unit$human_resources").
		CostFilters: budgets.BudgetCostFilterArray{&budgets.BudgetCostFilterArgs{
			Name:   pulumi.String("TagKeyValue"),
			Values: pulumi.StringArray{pulumi.String("user:" + args.TagKey + "$" + args.TagValue)},
		}},
		Notifications: notifications,
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{}); err != nil {
		return nil, err
	}
	return b, nil
}

package fleet

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alerts is the SNS topic every alarm and scaling notification goes to, with its e-mail
// subscriptions.
type Alerts struct {
	pulumi.ResourceState

	Topic *sns.Topic
}

// AlertsArgs describe who is told.
type AlertsArgs struct {
	// Emails are subscribed to the topic, one subscription each; every address must confirm
	// before it receives anything. None is allowed: the topic still feeds scaling notifications.
	Emails []string
}

func (a *AlertsArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	for i, email := range a.Emails {
		// Config checks the address's form; here only what would make SNS refuse the subscription
		// after the topic exists.
		if strings.TrimSpace(email) == "" || !strings.Contains(email, "@") {
			errs = append(errs, fmt.Errorf("Emails[%d]: %q is not an e-mail address", i, email))
		}
	}
	return errors.Join(errs...)
}

// NewAlerts declares the topic and one e-mail subscription per address. Subscriptions are named
// by their index in Emails, so reordering the list replaces them (and asks to confirm again).
func NewAlerts(ctx *pulumi.Context, name string, args *AlertsArgs, opts ...pulumi.ResourceOption) (*Alerts, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("alerts %s: %w", name, err)
	}
	a := &Alerts{}
	if err := ctx.RegisterComponentResource("openwan:ec2:Alerts", name, a, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(a)
	var err error
	a.Topic, err = sns.NewTopic(ctx, name, &sns.TopicArgs{}, child)
	if err != nil {
		return nil, err
	}
	for i, email := range args.Emails {
		if _, err := sns.NewTopicSubscription(ctx, name+"-email-"+strconv.Itoa(i), &sns.TopicSubscriptionArgs{
			Topic: a.Topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(email),
		}, child); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{"topicArn": a.Topic.Arn}); err != nil {
		return nil, err
	}
	return a, nil
}

package monitoring

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Alerts is the SNS topic every alarm, page and failed-scaling notification goes to, with its
// e-mail subscriptions, encrypted with a customer-managed KMS key of its own, and the access
// policy that lets CloudWatch and EventBridge publish to it. Both paths use it. Its type token is
// openwan:ec2:Alerts, from when it lived in package fleet: the token is in every child's URN, so
// it stays.
type Alerts struct {
	pulumi.ResourceState

	// Key encrypts the topic's messages at rest.
	Key *kms.Key
	// Topic receives the alarms and the scaling notifications.
	Topic *sns.Topic
}

// AlertsArgs describe who is told.
type AlertsArgs struct {
	// Emails are subscribed to the topic, one subscription each; every address must confirm
	// before it receives anything. None is allowed: the topic still feeds scaling notifications.
	Emails []string
	// AccountID is the AWS account the topic and its key live in (12 digits): the key policy
	// names its root, which administers the key, and its Auto Scaling service-linked role.
	AccountID string
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

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
	if !accountIDPattern.MatchString(a.AccountID) {
		errs = append(errs, fmt.Errorf("AccountID: %q is not a 12-digit AWS account id", a.AccountID))
	}
	return errors.Join(errs...)
}

// AutoScalingServiceRoleARN is the account's Auto Scaling service-linked role, which publishes
// the groups' notifications.
func AutoScalingServiceRoleARN(accountID string) string {
	return "arn:aws:iam::" + accountID + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
}

// alertsKeyPolicy is the key policy of the topic's key. CloudWatch alarms cannot publish to a
// topic encrypted with the AWS-managed key (alias/aws/sns), whose policy no one can change: the
// topic needs a customer-managed key whose policy lets the publishers generate data keys with it.
//   - The account's root administers the key (and IAM policies in the account may grant its use,
//     as with every key's default policy), so the key cannot become unmanageable.
//   - cloudwatch.amazonaws.com publishes the alarms: the statement the SNS docs give for
//     CloudWatch as an event source of an encrypted topic, limited to this account's alarms
//     (aws:SourceAccount, aws:SourceArn), as AWS advises against the confused deputy: without
//     them another account's alarm could use the key through the CloudWatch service.
//   - events.amazonaws.com publishes the groups' EventBridge pages (fleet.GroupAlarms). Without
//     conditions: the SNS docs say aws:SourceAccount and aws:SourceArn are not supported for
//     EventBridge to an encrypted topic ("Key management", compatibility with AWS services).
//   - AWSServiceRoleForAutoScaling publishes the groups' launch and terminate notifications; its
//     predefined permissions do not include customer-managed keys (the EC2 Auto Scaling docs
//     say so of EBS keys), so the key policy grants it. It is matched by aws:PrincipalArn rather
//     than named as the principal: a key policy naming a role that does not exist is refused, and
//     Auto Scaling creates the role with the account's first group, after this key.
func alertsKeyPolicy(accountID string) (string, error) {
	publish := []string{"kms:Decrypt", "kms:GenerateDataKey*"}
	out, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{
			{
				"Sid": "AccountAdministers", "Effect": "Allow",
				"Principal": map[string]string{"AWS": "arn:aws:iam::" + accountID + ":root"},
				"Action":    "kms:*", "Resource": "*",
			},
			{
				"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
				"Principal": map[string]string{"Service": "cloudwatch.amazonaws.com"},
				"Action":    publish, "Resource": "*",
				"Condition": alarmSource(accountID),
			},
			{
				"Sid": "EventBridgePublish", "Effect": "Allow",
				"Principal": map[string]string{"Service": "events.amazonaws.com"},
				"Action":    publish, "Resource": "*",
			},
			{
				"Sid": "AutoScalingNotificationsPublish", "Effect": "Allow",
				"Principal": map[string]string{"AWS": "*"},
				"Action":    publish, "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]string{"aws:PrincipalArn": AutoScalingServiceRoleARN(accountID)}},
			},
		},
	})
	return string(out), err
}

// alarmSource is the condition that admits this account's CloudWatch alarms only, in any region.
func alarmSource(accountID string) map[string]any {
	return map[string]any{
		"StringEquals": map[string]string{"aws:SourceAccount": accountID},
		"ArnLike":      map[string]string{"aws:SourceArn": "arn:aws:cloudwatch:*:" + accountID + ":alarm:*"},
	}
}

// alertsTopicPolicy is the topic's access policy. It replaces SNS's default one, so it keeps what
// that one grants (the account's principals manage and publish, as their IAM policies allow; the
// Auto Scaling service-linked role among them) and adds the services that publish as services:
// CloudWatch alarms of this account (the confused-deputy conditions the CloudWatch docs give for
// an alarm's topic) and EventBridge, whose statement the EventBridge docs give without conditions
// ("You can't use Condition blocks in Amazon SNS topic policies for EventBridge").
func alertsTopicPolicy(accountID, topicARN string) (string, error) {
	out, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{
			{
				"Sid": "AccountManagesAndPublishes", "Effect": "Allow",
				"Principal": map[string]string{"AWS": "arn:aws:iam::" + accountID + ":root"},
				"Action": []string{"sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
					"sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"},
				"Resource": topicARN,
			},
			{
				"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
				"Principal": map[string]string{"Service": "cloudwatch.amazonaws.com"},
				"Action":    "sns:Publish", "Resource": topicARN,
				"Condition": alarmSource(accountID),
			},
			{
				"Sid": "EventBridgePublish", "Effect": "Allow",
				"Principal": map[string]string{"Service": "events.amazonaws.com"},
				"Action":    "sns:Publish", "Resource": topicARN,
			},
		},
	})
	return string(out), err
}

// NewAlerts declares the key, the topic encrypted with it, and one e-mail subscription per
// address. Subscriptions are named by their index in Emails, so reordering the list replaces
// them (and asks to confirm again).
func NewAlerts(ctx *pulumi.Context, name string, args *AlertsArgs, opts ...pulumi.ResourceOption) (*Alerts, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("alerts %s: %w", name, err)
	}
	policy, err := alertsKeyPolicy(args.AccountID)
	if err != nil {
		return nil, fmt.Errorf("alerts %s: key policy: %w", name, err)
	}
	a := &Alerts{}
	if err := ctx.RegisterComponentResource("openwan:ec2:Alerts", name, a, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(a)
	a.Key, err = kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:       pulumi.String("Encrypts the " + name + " topic: CloudWatch alarms and Auto Scaling notifications"),
		EnableKeyRotation: pulumi.Bool(true),
		Policy:            pulumi.String(policy),
	}, child)
	if err != nil {
		return nil, err
	}
	a.Topic, err = sns.NewTopic(ctx, name, &sns.TopicArgs{KmsMasterKeyId: a.Key.Arn}, child)
	if err != nil {
		return nil, err
	}
	topicPolicy := a.Topic.Arn.ApplyT(func(arn string) (string, error) { return alertsTopicPolicy(args.AccountID, arn) }).(pulumi.StringOutput)
	if _, err := sns.NewTopicPolicy(ctx, name, &sns.TopicPolicyArgs{Arn: a.Topic.Arn, Policy: topicPolicy}, child); err != nil {
		return nil, err
	}
	for i, email := range args.Emails {
		if _, err := sns.NewTopicSubscription(ctx, name+"-email-"+strconv.Itoa(i), &sns.TopicSubscriptionArgs{
			Topic: a.Topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(email),
		}, child); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{"topicArn": a.Topic.Arn, "keyArn": a.Key.Arn}); err != nil {
		return nil, err
	}
	return a, nil
}

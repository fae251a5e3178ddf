package components_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/monitoring"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

// monitoringAccountID is the account the tests' alerts live in.
const monitoringAccountID = "210987654321"

func TestAlertsArgsRefusals(t *testing.T) {
	valid := func() *monitoring.AlertsArgs {
		return &monitoring.AlertsArgs{Emails: []string{"ops@example.com", "oncall@example.com"}, AccountID: monitoringAccountID}
	}
	componenttest.Refusals(t, valid, componenttest.Validator(monitoring.NewAlerts, "alerts"), []componenttest.Refusal[monitoring.AlertsArgs]{
		{Name: "an empty and a bare address", Change: func(a *monitoring.AlertsArgs) { a.Emails = []string{"ops@example.com", "", "oncall"} },
			Fields: []string{"Emails[1]", "Emails[2]"}},
		{Name: "no account", Change: func(a *monitoring.AlertsArgs) { a.AccountID = "" }, Fields: []string{"AccountID"}},
		{Name: "an account alias for an id", Change: func(a *monitoring.AlertsArgs) { a.AccountID = "openwan-prod" }, Fields: []string{"AccountID"}},
	})

	assert.NoError(t, componenttest.Validator(monitoring.NewAlerts, "alerts")(&monitoring.AlertsArgs{AccountID: monitoringAccountID}), "no addresses is allowed: the topic still carries scaling notifications")
}

func TestAlertsRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, monitoring.NewAlerts, "alerts", &monitoring.AlertsArgs{Emails: []string{""}, AccountID: monitoringAccountID})
	assert.ErrorContains(t, err, "alerts alerts: Emails[0]", "the error names the component and the field")
}

func TestAlertsSubscribesEachAddress(t *testing.T) {
	emails := []string{"ops@example.com", "oncall@example.com"}
	p := componenttest.Declare(t, monitoring.NewAlerts, "alerts", &monitoring.AlertsArgs{Emails: emails, AccountID: monitoringAccountID})
	_, err := p.Get("openwan:ec2:Alerts", "alerts")
	require.NoError(t, err, "the component keeps its type token: it is in every child's URN")
	require.Len(t, p.Find(model.TypeSNSTopic), 1, "one topic for every alarm and notification")
	require.Len(t, p.Find(model.TypeSNSTopicSubscription), len(emails), "one subscription per address")
	for i, email := range emails {
		name := "alerts-email-" + strconv.Itoa(i)
		assert.Equal(t, email, componenttest.Input(t, p, model.TypeSNSTopicSubscription, name, "endpoint"), "%s subscribes address %d", name, i)
		assert.Equal(t, "email", componenttest.Input(t, p, model.TypeSNSTopicSubscription, name, "protocol"), "%s is an e-mail subscription", name)
	}
}

// monitoringKeyStatement is one statement of a key policy.
type monitoringKeyStatement struct {
	Sid       string
	Effect    string
	Principal map[string]string
	Action    any
	Condition map[string]map[string]string
}

func TestAlertsTopicIsEncryptedWithItsOwnKey(t *testing.T) {
	p := componenttest.Declare(t, monitoring.NewAlerts, "alerts", &monitoring.AlertsArgs{AccountID: monitoringAccountID})
	require.Equal(t, []string{"alerts-key"}, componenttest.Names(p, model.TypeKMSKey), "one customer-managed key, the topic's own")
	assert.Equal(t, true, componenttest.Input(t, p, model.TypeKMSKey, "alerts-key", "enableKeyRotation"), "the key rotates yearly")

	topic, err := p.Get(model.TypeSNSTopic, "alerts")
	require.NoError(t, err)
	key, err := p.Get(model.TypeKMSKey, "alerts-key")
	require.NoError(t, err)
	_, err = topic.Input("kmsMasterKeyId")
	assert.NoError(t, err, "the topic is encrypted")
	assert.Equal(t, []string{key.URN}, topic.PropertyDependencies["kmsMasterKeyId"], "with the key (its ARN), not the AWS-managed alias/aws/sns")

	text, ok := componenttest.Input(t, p, model.TypeKMSKey, "alerts-key", "policy").(string)
	require.True(t, ok, "the key policy is a JSON string")
	var policy struct{ Statement []monitoringKeyStatement }
	require.NoError(t, json.Unmarshal([]byte(text), &policy), "the key policy is JSON")
	bySid := map[string]monitoringKeyStatement{}
	for _, s := range policy.Statement {
		assert.Equal(t, "Allow", s.Effect, "statement %s allows", s.Sid)
		bySid[s.Sid] = s
	}
	require.Len(t, bySid, 4, "four statements: the account, CloudWatch, EventBridge, Auto Scaling")

	admin := bySid["AccountAdministers"]
	assert.Equal(t, map[string]string{"AWS": "arn:aws:iam::" + monitoringAccountID + ":root"}, admin.Principal, "the account's root administers the key")
	assert.Equal(t, "kms:*", admin.Action, "all of it, so the key never becomes unmanageable")

	publish := []any{"kms:Decrypt", "kms:GenerateDataKey*"}
	cloudWatch := bySid["CloudWatchAlarmsPublish"]
	assert.Equal(t, map[string]string{"Service": "cloudwatch.amazonaws.com"}, cloudWatch.Principal, "CloudWatch alarms publish to the topic")
	assert.Equal(t, publish, cloudWatch.Action, "CloudWatch may only make and read data keys")
	assert.Equal(t, map[string]map[string]string{
		"StringEquals": {"aws:SourceAccount": monitoringAccountID},
		"ArnLike":      {"aws:SourceArn": "arn:aws:cloudwatch:*:" + monitoringAccountID + ":alarm:*"},
	}, cloudWatch.Condition, "for this account's alarms only: no confused deputy")
	events := bySid["EventBridgePublish"]
	assert.Equal(t, map[string]string{"Service": "events.amazonaws.com"}, events.Principal, "EventBridge publishes the groups' pages")
	assert.Equal(t, publish, events.Action)
	assert.Empty(t, events.Condition, "AWS supports no source conditions for EventBridge to an encrypted topic")

	// The topic's own policy admits the same publishers.
	topicText, ok := componenttest.Input(t, p, model.TypeSNSTopicPolicy, "alerts", "policy").(string)
	require.True(t, ok, "the topic policy is a JSON string")
	var topicPolicy struct{ Statement []monitoringKeyStatement }
	require.NoError(t, json.Unmarshal([]byte(topicText), &topicPolicy))
	topicBySid := map[string]monitoringKeyStatement{}
	for _, s := range topicPolicy.Statement {
		topicBySid[s.Sid] = s
	}
	assert.Equal(t, cloudWatch.Condition, topicBySid["CloudWatchAlarmsPublish"].Condition, "the topic admits this account's alarms only")
	assert.Equal(t, map[string]string{"Service": "events.amazonaws.com"}, topicBySid["EventBridgePublish"].Principal, "and EventBridge")
	assert.Equal(t, map[string]string{"AWS": "arn:aws:iam::" + monitoringAccountID + ":root"}, topicBySid["AccountManagesAndPublishes"].Principal,
		"and keeps what SNS's default policy gives the account")

	asg := bySid["AutoScalingNotificationsPublish"]
	assert.Equal(t, publish, asg.Action, "Auto Scaling may only make and read data keys")
	assert.Equal(t, map[string]map[string]string{"StringEquals": {"aws:PrincipalArn": monitoring.AutoScalingServiceRoleARN(monitoringAccountID)}}, asg.Condition,
		"only the account's Auto Scaling service-linked role, which publishes the groups' notifications")
	assert.Equal(t, "arn:aws:iam::"+monitoringAccountID+":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
		monitoring.AutoScalingServiceRoleARN(monitoringAccountID), "the default service-linked role of Auto Scaling, in the account")
}

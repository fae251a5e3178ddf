package fleet

import (
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestAlertsArgsRefusals(t *testing.T) {
	var nilArgs *AlertsArgs
	assert.EqualError(t, nilArgs.validate(), "args are required")

	err := (&AlertsArgs{Emails: []string{"ops@example.com", "", "oncall"}}).validate()
	componenttest.AssertFields(t, err, "Emails[1]", "Emails[2]")

	assert.NoError(t, (&AlertsArgs{}).validate(), "no addresses is allowed: the topic still carries scaling notifications")
}

func TestAlertsRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.Refused(t, func(ctx *pulumi.Context) error {
		_, err := NewAlerts(ctx, "alerts", &AlertsArgs{Emails: []string{""}})
		return err
	})
	assert.ErrorContains(t, err, "alerts alerts: Emails[0]", "the error names the component and the field")
}

func TestAlertsSubscribesEachAddress(t *testing.T) {
	emails := []string{"ops@example.com", "oncall@example.com"}
	p := componenttest.Run(t, func(ctx *pulumi.Context) error {
		_, err := NewAlerts(ctx, "alerts", &AlertsArgs{Emails: emails})
		return err
	})
	_, err := p.Get("openwan:ec2:Alerts", "alerts")
	require.NoError(t, err, "the component keeps its type token: it is in every child's URN")
	require.Len(t, p.Find(topicType), 1, "one topic for every alarm and notification")
	require.Len(t, p.Find(subscriptionType), len(emails), "one subscription per address")
	for i, email := range emails {
		name := "alerts-email-" + strconv.Itoa(i)
		assert.Equal(t, email, componenttest.Input(t, p, subscriptionType, name, "endpoint"), "%s subscribes address %d", name, i)
		assert.Equal(t, "email", componenttest.Input(t, p, subscriptionType, name, "protocol"), "%s is an e-mail subscription", name)
	}
}

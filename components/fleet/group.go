package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/components/fleet/userdata"
)

// GroupMetrics are the group metrics every Auto Scaling Group publishes each minute; the alarms
// and the backlog-per-instance math read them. A function, not a variable: callers get their own
// copy and cannot change what the groups enable.
func GroupMetrics() []string {
	return []string{
		"GroupMinSize", "GroupMaxSize", "GroupDesiredCapacity", "GroupInServiceInstances",
		"GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances",
	}
}

// Group is an Auto Scaling Group with its scaling: target tracking on CPU and on the CloudWatch
// agent's memory metric (and optionally on queue backlog per instance), optional step scaling on
// load balancer requests, one scale-in policy driven by an alarm that needs every signal low at
// once, scheduled actions, launch and termination lifecycle hooks (with the instance role's
// permission to complete them on this group) and notifications of failed launches and
// terminations.
//
// Target tracking policies have scale-in disabled: the guide's "Scale In When" thresholds (CPU <
// 30 % for 10 minutes, ...) sit far below the targets, which target tracking cannot express.
type Group struct {
	pulumi.ResourceState

	// Group is the Auto Scaling Group itself.
	Group *autoscaling.Group
	// TerminationHook holds a terminating instance in Terminating:Wait until it completes the
	// lifecycle action (the user data's drain service) or TerminationHookSeconds pass.
	TerminationHook *autoscaling.LifecycleHook
	// LaunchHook holds a launching instance in Pending:Wait (Warmed:Pending:Wait into the warm
	// pool) until its bootstrap completes the lifecycle action or LaunchHookSeconds pass.
	LaunchHook *autoscaling.LifecycleHook
	// Name is the group's physical name, what alarms and dashboards select it by.
	Name pulumi.StringOutput
}

// TerminationHookName and LaunchHookName are the names of every group's lifecycle hooks, the
// names the user data's scripts complete (userdata holds them: the script and the group must
// agree, and the script is where they are used).
const (
	TerminationHookName = userdata.TerminationHookName
	LaunchHookName      = userdata.LaunchHookName
)

// NotificationTypes are the Auto Scaling notifications each group sends to the alerts topic: a
// launch or a termination that failed. A function, not a variable: callers cannot change them.
func NotificationTypes() []string {
	return []string{"autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"}
}

// SpotAllocationStrategies are the spot allocation strategies of a mixed instances policy, as
// AWS spells them. A function, not a variable: callers cannot change what is allowed.
func SpotAllocationStrategies() []string {
	return []string{"lowest-price", "capacity-optimized", "capacity-optimized-prioritized", "price-capacity-optimized"}
}

// GroupArgs describe a group. Every number is required; there are no hidden defaults.
type GroupArgs struct {
	// SubnetIDs are the private subnets the group spreads over (two zones or more).
	SubnetIDs pulumi.StringArrayInput
	// LaunchTemplateID and LaunchTemplateVersion select what instances boot; a new version
	// starts an instance refresh.
	LaunchTemplateID, LaunchTemplateVersion pulumi.StringInput
	// Spot, when set, makes a mixed instances policy over its types.
	Spot *SpotArgs
	// Min, Max and Desired bound the group (instances); Desired is ignored after creation.
	Min, Max, Desired int
	// TargetGroupARNs register instances with a load balancer, whose health checks then count.
	TargetGroupARNs pulumi.StringArrayInput
	// HealthCheckGraceSeconds is how long a new instance's failed health checks are ignored (s).
	HealthCheckGraceSeconds int
	// DefaultCooldownSeconds is the group's cooldown between simple scaling activities (s).
	DefaultCooldownSeconds int
	// WarmupSeconds is how long a new instance takes before its metrics count (s).
	WarmupSeconds int
	// CPUPercent and MemoryPercent are the target tracking targets (percent, in (0, 100]).
	CPUPercent, MemoryPercent int
	// Backlog adds target tracking on queue messages per in-service instance.
	Backlog *BacklogArgs
	// Requests adds step scaling on the load balancer's requests per target.
	Requests *RequestArgs
	// ScaleIn is when the group shrinks by one.
	ScaleIn ScaleInArgs
	// MinHealthyPercent is kept in service during an instance refresh (percent).
	MinHealthyPercent int
	// TerminationHookSeconds is how long a terminating instance may drain (s, 30 to 7200): the
	// heartbeat timeout of the termination hook, after which the termination continues. The
	// instances' UserData.TerminationHookSeconds must be the same number.
	TerminationHookSeconds int
	// LaunchHookSeconds is how long a launching instance may take to bootstrap (s, 30 to 7200):
	// the heartbeat timeout of the launch hook, after which Auto Scaling abandons the instance
	// and launches another. The instances' UserData.LaunchHookSeconds must be the same number.
	LaunchHookSeconds int
	// InstanceRoleName is the instances' role (LaunchTemplate.Role): it is allowed to complete
	// lifecycle actions on this group, and on no other, which the drain service does once the
	// app has stopped.
	InstanceRoleName pulumi.StringInput
	// Schedules are scheduled actions by action name, read in TimeZone (an IANA zone name,
	// required with schedules).
	Schedules map[string]Schedule
	TimeZone  string
	// TopicARN receives the group's launch and terminate notifications.
	TopicARN pulumi.StringInput
	// FleetTag is the "openwan:fleet" tag value, propagated to instances.
	FleetTag string
	// WarmPoolSize keeps that many stopped instances beside the group (instances, 0..Max; 0:
	// none). They booted once, ran the user data and pulled the image, so a scale-out starts
	// them instead of booting new ones; a scale-in returns instances to the pool. Not with
	// Spot: AWS refuses a warm pool on a group with a mixed instances policy or spot instances
	// (PutWarmPool).
	WarmPoolSize int
}

// SpotArgs are the mixed instances policy of a spot fleet.
type SpotArgs struct {
	// InstanceTypes are interchangeable types (two or more, so one type's shortage does not
	// stop the fleet).
	InstanceTypes []string
	// OnDemandBase is how many instances are on-demand before any spot (instances).
	OnDemandBase int
	// OnDemandPercentAboveBase is the on-demand share above OnDemandBase (percent).
	OnDemandPercentAboveBase int
	// AllocationStrategy is how spot capacity is spread over the types' pools, one of
	// SpotAllocationStrategies(). AWS recommends "price-capacity-optimized" for most workloads:
	// the pools least likely to be interrupted, and of those the cheapest.
	AllocationStrategy string
}

// Schedule is one scheduled action.
type Schedule struct {
	// Recurrence is when it runs: a cron expression read in the group's TimeZone.
	Recurrence string
	// Min, Max and Desired are the group's bounds and desired count from then on (instances,
	// 0 <= Min <= Desired <= Max).
	Min, Max, Desired int
}

func (a *GroupArgs) validate() error {
	if a == nil {
		return errors.New("args are required")
	}
	var errs []error
	if a.SubnetIDs == nil {
		errs = append(errs, errors.New("SubnetIDs: must be set"))
	}
	if a.LaunchTemplateID == nil {
		errs = append(errs, errors.New("LaunchTemplateID: must be set"))
	}
	if a.LaunchTemplateVersion == nil {
		errs = append(errs, errors.New("LaunchTemplateVersion: must be set"))
	}
	if a.TopicARN == nil {
		errs = append(errs, errors.New("TopicARN: must be set"))
	}
	if a.InstanceRoleName == nil {
		// Without it no instance can complete its termination hook: every scale-in would wait
		// the whole TerminationHookSeconds.
		errs = append(errs, errors.New("InstanceRoleName: must be set"))
	}
	if a.FleetTag == "" {
		errs = append(errs, errors.New("FleetTag: must not be empty"))
	}
	errs = append(errs, checkSize("", a.Min, a.Max, a.Desired, 1)...)
	for _, d := range []struct {
		field   string
		seconds int
	}{
		{"HealthCheckGraceSeconds", a.HealthCheckGraceSeconds},
		{"DefaultCooldownSeconds", a.DefaultCooldownSeconds},
		{"WarmupSeconds", a.WarmupSeconds},
	} {
		if d.seconds < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is below 0", d.field, d.seconds))
		}
	}
	if a.MinHealthyPercent < 0 || a.MinHealthyPercent > 100 {
		errs = append(errs, fmt.Errorf("MinHealthyPercent: %d is outside [0, 100]", a.MinHealthyPercent))
	}
	// The bounds of an Auto Scaling lifecycle hook's heartbeat timeout.
	if a.TerminationHookSeconds < 30 || a.TerminationHookSeconds > 7200 {
		errs = append(errs, fmt.Errorf("TerminationHookSeconds: %d is outside [30, 7200]", a.TerminationHookSeconds))
	}
	if a.LaunchHookSeconds < 30 || a.LaunchHookSeconds > 7200 {
		errs = append(errs, fmt.Errorf("LaunchHookSeconds: %d is outside [30, 7200]", a.LaunchHookSeconds))
	}
	if s := a.Spot; s != nil {
		if len(s.InstanceTypes) < 2 {
			errs = append(errs, fmt.Errorf("Spot.InstanceTypes: %d given, need two or more", len(s.InstanceTypes)))
		}
		if s.OnDemandBase < 0 || s.OnDemandBase > a.Max {
			errs = append(errs, fmt.Errorf("Spot.OnDemandBase: %d is outside [0, Max %d]", s.OnDemandBase, a.Max))
		}
		if s.OnDemandPercentAboveBase < 0 || s.OnDemandPercentAboveBase > 100 {
			errs = append(errs, fmt.Errorf("Spot.OnDemandPercentAboveBase: %d is outside [0, 100]", s.OnDemandPercentAboveBase))
		}
		if !slices.Contains(SpotAllocationStrategies(), s.AllocationStrategy) {
			errs = append(errs, fmt.Errorf("Spot.AllocationStrategy: %q is not one of %v", s.AllocationStrategy, SpotAllocationStrategies()))
		}
	}
	switch {
	case a.WarmPoolSize < 0 || a.WarmPoolSize > a.Max:
		errs = append(errs, fmt.Errorf("WarmPoolSize: %d is outside [0, Max %d]", a.WarmPoolSize, a.Max))
	case a.WarmPoolSize > 0 && a.Spot != nil:
		errs = append(errs, errors.New("WarmPoolSize: a warm pool does not take a spot group: AWS refuses one on a group with a mixed instances policy"))
	}
	errs = append(errs, a.validateScaling()...)
	if len(a.Schedules) > 0 && a.TimeZone == "" {
		errs = append(errs, errors.New("TimeZone: must not be empty with Schedules"))
	}
	for _, action := range slices.Sorted(maps.Keys(a.Schedules)) {
		s := a.Schedules[action]
		field := "Schedules[" + action + "]."
		if s.Recurrence == "" {
			errs = append(errs, fmt.Errorf("%sRecurrence: must not be empty", field))
		}
		// A schedule may empty the group (Max 0), say for the night.
		errs = append(errs, checkSize(field, s.Min, s.Max, s.Desired, 0)...)
	}
	return errors.Join(errs...)
}

// ownedByAutoscaling are the group's inputs that AWS changes after creation, which an `up` must
// not reset: the desired count (the policies and schedules own it), and its minimum (maximum)
// once a schedule sets the group's minimum (maximum) to something else than Min (Max), as a
// business-hours action raising the minimum does; an `up` by day would otherwise put it back
// until the next action. Such a Min (Max) applies at creation only: the schedules own the bound,
// and carry a new value to the group at their next run.
func (a *GroupArgs) ownedByAutoscaling() []string {
	owned := []string{"desiredCapacity"}
	for _, s := range a.Schedules {
		if s.Min != a.Min && !slices.Contains(owned, "minSize") {
			owned = append(owned, "minSize")
		}
		if s.Max != a.Max && !slices.Contains(owned, "maxSize") {
			owned = append(owned, "maxSize")
		}
	}
	slices.Sort(owned[1:])
	return owned
}

// checkSize checks 0 <= Min <= Desired <= Max and leastMax <= Max, naming the fields under
// prefix.
func checkSize(prefix string, minSize, maxSize, desired, leastMax int) []error {
	var errs []error
	if minSize < 0 {
		errs = append(errs, fmt.Errorf("%sMin: %d is below 0", prefix, minSize))
	}
	switch {
	case maxSize < leastMax:
		errs = append(errs, fmt.Errorf("%sMax: %d is below %d", prefix, maxSize, leastMax))
	case maxSize < minSize:
		errs = append(errs, fmt.Errorf("%sMax: %d is below Min %d", prefix, maxSize, minSize))
	}
	if desired < minSize || desired > maxSize {
		errs = append(errs, fmt.Errorf("%sDesired: %d is outside [Min %d, Max %d]", prefix, desired, minSize, maxSize))
	}
	return errs
}

// NewGroup declares the group and its policies, alarm, schedules and notifications.
func NewGroup(ctx *pulumi.Context, name string, args *GroupArgs, opts ...pulumi.ResourceOption) (*Group, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("group %s: %w", name, err)
	}
	g := &Group{}
	if err := ctx.RegisterComponentResource("openwan:ec2:AutoScalingGroup", name, g, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(g)

	healthCheck := "EC2"
	if args.TargetGroupARNs != nil {
		healthCheck = "ELB"
	}
	lt := &autoscaling.GroupLaunchTemplateArgs{Id: args.LaunchTemplateID, Version: args.LaunchTemplateVersion}
	groupArgs := &autoscaling.GroupArgs{
		VpcZoneIdentifiers:     args.SubnetIDs,
		MinSize:                pulumi.Int(args.Min),
		MaxSize:                pulumi.Int(args.Max),
		DesiredCapacity:        pulumi.Int(args.Desired),
		HealthCheckType:        pulumi.String(healthCheck),
		HealthCheckGracePeriod: pulumi.Int(args.HealthCheckGraceSeconds),
		DefaultCooldown:        pulumi.Int(args.DefaultCooldownSeconds),
		DefaultInstanceWarmup:  pulumi.Int(args.WarmupSeconds),
		TargetGroupArns:        args.TargetGroupARNs,
		EnabledMetrics:         pulumi.ToStringArray(GroupMetrics()),
		MetricsGranularity:     pulumi.String("1Minute"),
		InstanceRefresh: &autoscaling.GroupInstanceRefreshArgs{
			Strategy: pulumi.String("Rolling"),
			Preferences: &autoscaling.GroupInstanceRefreshPreferencesArgs{
				MinHealthyPercentage: pulumi.Int(args.MinHealthyPercent),
				InstanceWarmup:       pulumi.String(strconv.Itoa(args.WarmupSeconds)),
			},
		},
		// The hooks exist from the group's creation on, so its first instances (and its warm
		// pool's) wait for their bootstrap too; the LifecycleHook resources of declareHooks
		// manage them afterwards (PutLifecycleHook creates or updates by name, so they take
		// these over), and an `up` never changes this list on an existing group
		// (ignoreChanges below).
		InitialLifecycleHooks: autoscaling.GroupInitialLifecycleHookArray{
			launchHook(args).initial(), terminationHook(args).initial(),
		},
		Tags: autoscaling.GroupTagArray{
			&autoscaling.GroupTagArgs{Key: pulumi.String("Name"), Value: pulumi.String(name), PropagateAtLaunch: pulumi.Bool(true)},
			&autoscaling.GroupTagArgs{Key: pulumi.String("openwan:fleet"), Value: pulumi.String(args.FleetTag), PropagateAtLaunch: pulumi.Bool(true)},
		},
	}
	if args.WarmPoolSize > 0 {
		// MinSize and MaxGroupPreparedCapacity equal: AWS's one way to an absolute pool size
		// (PutWarmPool: otherwise the pool is the prepared capacity less the desired count).
		// Stopped: only the volumes are paid for.
		groupArgs.WarmPool = &autoscaling.GroupWarmPoolArgs{
			PoolState:                pulumi.String("Stopped"),
			MinSize:                  pulumi.Int(args.WarmPoolSize),
			MaxGroupPreparedCapacity: pulumi.Int(args.WarmPoolSize),
			InstanceReusePolicy:      &autoscaling.GroupWarmPoolInstanceReusePolicyArgs{ReuseOnScaleIn: pulumi.Bool(true)},
		}
	}
	if args.Spot == nil {
		groupArgs.LaunchTemplate = lt
	} else {
		overrides := autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArray{}
		for _, t := range args.Spot.InstanceTypes {
			overrides = append(overrides, &autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs{InstanceType: pulumi.String(t)})
		}
		// Capacity rebalancing acts on EC2's rebalance recommendation, which usually comes well
		// before the two-minute interruption notice: the group launches a replacement, then
		// terminates the instance at risk through the termination hook, so its job may finish.
		// An instance interrupted without that warning still goes through the hook, but EC2
		// reclaims it two minutes after the notice whatever the hook says; its job is redelivered
		// by the queue.
		groupArgs.CapacityRebalance = pulumi.Bool(true)
		groupArgs.MixedInstancesPolicy = &autoscaling.GroupMixedInstancesPolicyArgs{
			InstancesDistribution: &autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs{
				OnDemandBaseCapacity:                pulumi.Int(args.Spot.OnDemandBase),
				OnDemandPercentageAboveBaseCapacity: pulumi.Int(args.Spot.OnDemandPercentAboveBase),
				SpotAllocationStrategy:              pulumi.String(args.Spot.AllocationStrategy),
			},
			LaunchTemplate: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs{
				LaunchTemplateSpecification: &autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs{
					LaunchTemplateId: args.LaunchTemplateID, Version: args.LaunchTemplateVersion,
				},
				Overrides: overrides,
			},
		}
	}
	var err error
	g.Group, err = autoscaling.NewGroup(ctx, name, groupArgs, child, pulumi.IgnoreChanges(args.ownedByAutoscaling()),
		// initialLifecycleHooks applies at creation only: the provider replaces a group whose
		// initialLifecycleHooks change (the terraform-provider-aws schema it bridges marks the
		// block and its every field ForceNew), and groups created before the launch hook carry
		// the termination hook alone. Ignoring it keeps those groups and their instances; the
		// LifecycleHook resources bring every group's hooks up to date.
		pulumi.IgnoreChanges([]string{"initialLifecycleHooks"}))
	if err != nil {
		return nil, err
	}
	g.Name = g.Group.Name

	if err := g.declareHooks(ctx, name, args, child); err != nil {
		return nil, err
	}

	if err := g.declareScaling(ctx, name, args, child); err != nil {
		return nil, err
	}
	for _, action := range slices.Sorted(maps.Keys(args.Schedules)) {
		s := args.Schedules[action]
		if _, err := autoscaling.NewSchedule(ctx, name+"-"+action, &autoscaling.ScheduleArgs{
			AutoscalingGroupName: g.Group.Name,
			ScheduledActionName:  pulumi.String(action),
			Recurrence:           pulumi.String(s.Recurrence),
			TimeZone:             pulumi.String(args.TimeZone),
			MinSize:              pulumi.Int(s.Min),
			MaxSize:              pulumi.Int(s.Max),
			DesiredCapacity:      pulumi.Int(s.Desired),
		}, child); err != nil {
			return nil, err
		}
	}
	if _, err := autoscaling.NewNotification(ctx, name+"-notifications", &autoscaling.NotificationArgs{
		GroupNames: pulumi.StringArray{g.Group.Name},
		// Failures only: a launch or termination that went through is normal scaling (the nightly
		// schedule, a worker scale-in every 30 minutes), which nobody should be mailed about.
		Notifications: pulumi.ToStringArray(NotificationTypes()),
		TopicArn:      args.TopicARN,
	}, child); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(g, pulumi.Map{"groupName": g.Group.Name}); err != nil {
		return nil, err
	}
	return g, nil
}

// hook is one lifecycle hook of the group.
type hook struct {
	name, transition, defaultResult string
	seconds                         int
}

// launchHook holds a launching instance (in Pending:Wait, or Warmed:Pending:Wait on its way into
// the warm pool) until the bootstrap completes it. Left alone, the instance is abandoned: one that
// never said it is ready must not serve, nor be stopped into the pool half-made.
func launchHook(args *GroupArgs) hook {
	return hook{LaunchHookName, "autoscaling:EC2_INSTANCE_LAUNCHING", "ABANDON", args.LaunchHookSeconds}
}

// terminationHook holds a terminating instance until the drain completes it. When the time is up
// the instance terminates anyway: a hung drain must not keep a scale-in (or a refresh) waiting
// forever.
func terminationHook(args *GroupArgs) hook {
	return hook{TerminationHookName, "autoscaling:EC2_INSTANCE_TERMINATING", "CONTINUE", args.TerminationHookSeconds}
}

func (h hook) initial() *autoscaling.GroupInitialLifecycleHookArgs {
	return &autoscaling.GroupInitialLifecycleHookArgs{
		Name: pulumi.String(h.name), LifecycleTransition: pulumi.String(h.transition),
		HeartbeatTimeout: pulumi.Int(h.seconds), DefaultResult: pulumi.String(h.defaultResult),
	}
}

// declareHooks declares the launch and termination lifecycle hooks and lets the instance role
// complete them on this group.
//
// Each hook is an autoscaling.LifecycleHook besides the group's initialLifecycleHooks: the
// pulumi-aws docs say of initialLifecycleHooks "Please note that this will only work when creating
// a new Auto Scaling Group. For all other use-cases, please use autoscaling.LifecycleHook
// resource": a changed TerminationHookSeconds would not reach an existing group in place (this
// provider replaces the whole group instead).
func (g *Group) declareHooks(ctx *pulumi.Context, name string, args *GroupArgs, child pulumi.ResourceOption) error {
	var err error
	for _, h := range []struct {
		suffix string
		hook   hook
		into   **autoscaling.LifecycleHook
	}{
		{"-launch-hook", launchHook(args), &g.LaunchHook},
		{"-termination-hook", terminationHook(args), &g.TerminationHook},
	} {
		// Delete before replace: the old and the new hook have the same name on the same group,
		// so deleting the old one after creating the new one would delete the new one.
		*h.into, err = autoscaling.NewLifecycleHook(ctx, name+h.suffix, &autoscaling.LifecycleHookArgs{
			AutoscalingGroupName: g.Group.Name,
			Name:                 pulumi.String(h.hook.name),
			LifecycleTransition:  pulumi.String(h.hook.transition),
			HeartbeatTimeout:     pulumi.Int(h.hook.seconds),
			DefaultResult:        pulumi.String(h.hook.defaultResult),
		}, child, pulumi.DeleteBeforeReplace(true))
		if err != nil {
			return err
		}
	}
	// Only this group's ARN: an instance can release its own group's terminations, not another
	// fleet's or another stack's. The ARN is known only once the group exists, hence a policy of
	// its own rather than a statement of the launch template's instance policy.
	policy := g.Group.Arn.ApplyT(func(arn string) (string, error) {
		out, err := json.Marshal(map[string]any{
			"Version": "2012-10-17",
			"Statement": []map[string]any{{
				"Effect": "Allow", "Action": "autoscaling:CompleteLifecycleAction", "Resource": arn,
			}},
		})
		return string(out), err
	}).(pulumi.StringOutput)
	_, err = iam.NewRolePolicy(ctx, name+"-complete-lifecycle", &iam.RolePolicyArgs{Role: args.InstanceRoleName, Policy: policy}, child)
	return err
}

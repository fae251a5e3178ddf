package stacks

import (
	"maps"
	"reflect"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/autoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/openwan/openwan-infra/config"
)

// tagForCost registers a transformation that gives every resource the program declares with a
// `tags` map the cost-allocation tag config.CostTagKey = the stack's name, which the budget
// filters on; also the instances and volumes a launch template starts, and the instances an
// Auto Scaling Group launches. It runs in the SDK, before a resource is registered, so it reaches
// the children of our components and pulumi-eks's Cluster arguments (its `tags`, which pulumi-eks
// puts on the resources it makes), but not what a provider or controller creates at run time
// (the load balancer controller's ALB, the EKS add-ons' own objects): their cost sits outside the
// budget's filter.
func tagForCost(ctx *pulumi.Context) error {
	key, value := config.CostTagKey, ctx.Stack()
	add := func(tags pulumi.StringMapInput) pulumi.StringMapInput {
		switch t := tags.(type) {
		case nil:
			return pulumi.StringMap{key: pulumi.String(value)}
		case pulumi.StringMap:
			out := maps.Clone(t)
			out[key] = pulumi.String(value)
			return out
		}
		return tags.ToStringMapOutput().ApplyT(func(m map[string]string) map[string]string {
			out := maps.Clone(m)
			if out == nil {
				out = map[string]string{}
			}
			out[key] = value
			return out
		}).(pulumi.StringMapOutput)
	}
	return ctx.RegisterStackTransformation(func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
		switch props := args.Props.(type) {
		case *ec2.LaunchTemplateArgs:
			if specs, ok := props.TagSpecifications.(ec2.LaunchTemplateTagSpecificationArray); ok {
				for i, s := range specs {
					if spec, ok := s.(*ec2.LaunchTemplateTagSpecificationArgs); ok {
						tagged := *spec
						tagged.Tags = add(spec.Tags)
						specs[i] = &tagged
					}
				}
			}
		case *autoscaling.GroupArgs:
			if tags, ok := props.Tags.(autoscaling.GroupTagArray); ok || props.Tags == nil {
				props.Tags = append(tags, &autoscaling.GroupTagArgs{
					Key: pulumi.String(key), Value: pulumi.String(value), PropagateAtLaunch: pulumi.Bool(true),
				})
			}
		}
		// Every other args struct with a `Tags` map (reflection: the AWS SDK has hundreds).
		v := reflect.ValueOf(args.Props)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return nil
		}
		field := v.Elem().FieldByName("Tags")
		mapType := reflect.TypeFor[pulumi.StringMapInput]()
		if !field.IsValid() || !field.CanSet() || field.Type() != mapType {
			return nil
		}
		var tags pulumi.StringMapInput
		if !field.IsNil() {
			tags = field.Interface().(pulumi.StringMapInput)
		}
		field.Set(reflect.ValueOf(add(tags)))
		return &pulumi.ResourceTransformationResult{Props: args.Props, Opts: args.Opts}
	})
}

// https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface MachineConfig extends cdktf.TerraformMetaArguments {
  /**
  * The name of the Fly.io application this machine belongs to. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#app Machine#app}
  */
  readonly app: string;
  /**
  * Whether to automatically destroy the machine when it exits.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#auto_destroy Machine#auto_destroy}
  */
  readonly autoDestroy?: boolean | cdktf.IResolvable;
  /**
  * The command to run on the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#cmd Machine#cmd}
  */
  readonly cmd?: string[];
  /**
  * Whether the machine is cordoned (will not accept new connections).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#cordoned Machine#cordoned}
  */
  readonly cordoned?: boolean | cdktf.IResolvable;
  /**
  * The desired status of the machine: 'started', 'stopped', or 'suspended'.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#desired_status Machine#desired_status}
  */
  readonly desiredStatus?: string;
  /**
  * The entrypoint for the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#entrypoint Machine#entrypoint}
  */
  readonly entrypoint?: string[];
  /**
  * Environment variables to set on the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#env Machine#env}
  */
  readonly env?: { [key: string]: string };
  /**
  * The Docker image to run on the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#image Machine#image}
  */
  readonly image: string;
  /**
  * Metadata key-value pairs for the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#metadata Machine#metadata}
  */
  readonly metadata?: { [key: string]: string };
  /**
  * The name of the machine. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#name Machine#name}
  */
  readonly name?: string;
  /**
  * The region to deploy the machine in (e.g., 'ord', 'iad'). Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#region Machine#region}
  */
  readonly region: string;
  /**
  * Cron-like schedule for the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#schedule Machine#schedule}
  */
  readonly schedule?: string;
  /**
  * If true, the machine will be created but not started.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#skip_launch Machine#skip_launch}
  */
  readonly skipLaunch?: boolean | cdktf.IResolvable;
  /**
  * check block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#check Machine#check}
  */
  readonly check?: MachineCheck[] | cdktf.IResolvable;
  /**
  * guest block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#guest Machine#guest}
  */
  readonly guest?: MachineGuest;
  /**
  * metrics block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#metrics Machine#metrics}
  */
  readonly metrics?: MachineMetrics;
  /**
  * mount block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#mount Machine#mount}
  */
  readonly mount?: MachineMount;
  /**
  * restart block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#restart Machine#restart}
  */
  readonly restart?: MachineRestart;
  /**
  * service block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#service Machine#service}
  */
  readonly service?: MachineService[] | cdktf.IResolvable;
}
export interface MachineCheck {
  /**
  * How often to run the check (e.g., '10s', '1m').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#interval Machine#interval}
  */
  readonly interval?: string;
  /**
  * The HTTP method for HTTP checks.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#method Machine#method}
  */
  readonly method?: string;
  /**
  * The name of the health check.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#name Machine#name}
  */
  readonly name: string;
  /**
  * The HTTP path for HTTP checks.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#path Machine#path}
  */
  readonly path?: string;
  /**
  * The port to check.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#port Machine#port}
  */
  readonly port?: number;
  /**
  * Timeout for the check (e.g., '2s').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#timeout Machine#timeout}
  */
  readonly timeout?: string;
  /**
  * The type of health check (e.g., 'tcp', 'http').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#type Machine#type}
  */
  readonly type: string;
}

export function machineCheckToTerraform(struct?: MachineCheck | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    interval: cdktf.stringToTerraform(struct!.interval),
    method: cdktf.stringToTerraform(struct!.method),
    name: cdktf.stringToTerraform(struct!.name),
    path: cdktf.stringToTerraform(struct!.path),
    port: cdktf.numberToTerraform(struct!.port),
    timeout: cdktf.stringToTerraform(struct!.timeout),
    type: cdktf.stringToTerraform(struct!.type),
  }
}


export function machineCheckToHclTerraform(struct?: MachineCheck | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    interval: {
      value: cdktf.stringToHclTerraform(struct!.interval),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    method: {
      value: cdktf.stringToHclTerraform(struct!.method),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    name: {
      value: cdktf.stringToHclTerraform(struct!.name),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    path: {
      value: cdktf.stringToHclTerraform(struct!.path),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    port: {
      value: cdktf.numberToHclTerraform(struct!.port),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    timeout: {
      value: cdktf.stringToHclTerraform(struct!.timeout),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    type: {
      value: cdktf.stringToHclTerraform(struct!.type),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineCheckOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param complexObjectIndex the index of this item in the list
  * @param complexObjectIsFromSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, complexObjectIndex: number, complexObjectIsFromSet: boolean) {
    super(terraformResource, terraformAttribute, complexObjectIsFromSet, complexObjectIndex);
  }

  public get internalValue(): MachineCheck | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._interval !== undefined) {
      hasAnyValues = true;
      internalValueResult.interval = this._interval;
    }
    if (this._method !== undefined) {
      hasAnyValues = true;
      internalValueResult.method = this._method;
    }
    if (this._name !== undefined) {
      hasAnyValues = true;
      internalValueResult.name = this._name;
    }
    if (this._path !== undefined) {
      hasAnyValues = true;
      internalValueResult.path = this._path;
    }
    if (this._port !== undefined) {
      hasAnyValues = true;
      internalValueResult.port = this._port;
    }
    if (this._timeout !== undefined) {
      hasAnyValues = true;
      internalValueResult.timeout = this._timeout;
    }
    if (this._type !== undefined) {
      hasAnyValues = true;
      internalValueResult.type = this._type;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineCheck | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._interval = undefined;
      this._method = undefined;
      this._name = undefined;
      this._path = undefined;
      this._port = undefined;
      this._timeout = undefined;
      this._type = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._interval = value.interval;
      this._method = value.method;
      this._name = value.name;
      this._path = value.path;
      this._port = value.port;
      this._timeout = value.timeout;
      this._type = value.type;
    }
  }

  // interval - computed: false, optional: true, required: false
  private _interval?: string; 
  public get interval() {
    return this.getStringAttribute('interval');
  }
  public set interval(value: string) {
    this._interval = value;
  }
  public resetInterval() {
    this._interval = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get intervalInput() {
    return this._interval;
  }

  // method - computed: false, optional: true, required: false
  private _method?: string; 
  public get method() {
    return this.getStringAttribute('method');
  }
  public set method(value: string) {
    this._method = value;
  }
  public resetMethod() {
    this._method = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get methodInput() {
    return this._method;
  }

  // name - computed: false, optional: false, required: true
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // path - computed: false, optional: true, required: false
  private _path?: string; 
  public get path() {
    return this.getStringAttribute('path');
  }
  public set path(value: string) {
    this._path = value;
  }
  public resetPath() {
    this._path = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get pathInput() {
    return this._path;
  }

  // port - computed: false, optional: true, required: false
  private _port?: number; 
  public get port() {
    return this.getNumberAttribute('port');
  }
  public set port(value: number) {
    this._port = value;
  }
  public resetPort() {
    this._port = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get portInput() {
    return this._port;
  }

  // timeout - computed: false, optional: true, required: false
  private _timeout?: string; 
  public get timeout() {
    return this.getStringAttribute('timeout');
  }
  public set timeout(value: string) {
    this._timeout = value;
  }
  public resetTimeout() {
    this._timeout = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get timeoutInput() {
    return this._timeout;
  }

  // type - computed: false, optional: false, required: true
  private _type?: string; 
  public get type() {
    return this.getStringAttribute('type');
  }
  public set type(value: string) {
    this._type = value;
  }
  // Temporarily expose input value. Use with caution.
  public get typeInput() {
    return this._type;
  }
}

export class MachineCheckList extends cdktf.ComplexList {
  public internalValue? : MachineCheck[] | cdktf.IResolvable

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param wrapsSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(protected terraformResource: cdktf.IInterpolatingParent, protected terraformAttribute: string, protected wrapsSet: boolean) {
    super(terraformResource, terraformAttribute, wrapsSet)
  }

  /**
  * @param index the index of the item to return
  */
  public get(index: number): MachineCheckOutputReference {
    return new MachineCheckOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}
export interface MachineGuest {
  /**
  * The kind of CPU to use (e.g., 'shared', 'performance').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#cpu_kind Machine#cpu_kind}
  */
  readonly cpuKind?: string;
  /**
  * Number of vCPUs.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#cpus Machine#cpus}
  */
  readonly cpus?: number;
  /**
  * The kind of GPU to attach.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#gpu_kind Machine#gpu_kind}
  */
  readonly gpuKind?: string;
  /**
  * Number of GPUs.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#gpus Machine#gpus}
  */
  readonly gpus?: number;
  /**
  * Memory in megabytes.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#memory_mb Machine#memory_mb}
  */
  readonly memoryMb?: number;
}

export function machineGuestToTerraform(struct?: MachineGuest | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    cpu_kind: cdktf.stringToTerraform(struct!.cpuKind),
    cpus: cdktf.numberToTerraform(struct!.cpus),
    gpu_kind: cdktf.stringToTerraform(struct!.gpuKind),
    gpus: cdktf.numberToTerraform(struct!.gpus),
    memory_mb: cdktf.numberToTerraform(struct!.memoryMb),
  }
}


export function machineGuestToHclTerraform(struct?: MachineGuest | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    cpu_kind: {
      value: cdktf.stringToHclTerraform(struct!.cpuKind),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    cpus: {
      value: cdktf.numberToHclTerraform(struct!.cpus),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    gpu_kind: {
      value: cdktf.stringToHclTerraform(struct!.gpuKind),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    gpus: {
      value: cdktf.numberToHclTerraform(struct!.gpus),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    memory_mb: {
      value: cdktf.numberToHclTerraform(struct!.memoryMb),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineGuestOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): MachineGuest | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._cpuKind !== undefined) {
      hasAnyValues = true;
      internalValueResult.cpuKind = this._cpuKind;
    }
    if (this._cpus !== undefined) {
      hasAnyValues = true;
      internalValueResult.cpus = this._cpus;
    }
    if (this._gpuKind !== undefined) {
      hasAnyValues = true;
      internalValueResult.gpuKind = this._gpuKind;
    }
    if (this._gpus !== undefined) {
      hasAnyValues = true;
      internalValueResult.gpus = this._gpus;
    }
    if (this._memoryMb !== undefined) {
      hasAnyValues = true;
      internalValueResult.memoryMb = this._memoryMb;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineGuest | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._cpuKind = undefined;
      this._cpus = undefined;
      this._gpuKind = undefined;
      this._gpus = undefined;
      this._memoryMb = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._cpuKind = value.cpuKind;
      this._cpus = value.cpus;
      this._gpuKind = value.gpuKind;
      this._gpus = value.gpus;
      this._memoryMb = value.memoryMb;
    }
  }

  // cpu_kind - computed: true, optional: true, required: false
  private _cpuKind?: string; 
  public get cpuKind() {
    return this.getStringAttribute('cpu_kind');
  }
  public set cpuKind(value: string) {
    this._cpuKind = value;
  }
  public resetCpuKind() {
    this._cpuKind = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cpuKindInput() {
    return this._cpuKind;
  }

  // cpus - computed: true, optional: true, required: false
  private _cpus?: number; 
  public get cpus() {
    return this.getNumberAttribute('cpus');
  }
  public set cpus(value: number) {
    this._cpus = value;
  }
  public resetCpus() {
    this._cpus = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cpusInput() {
    return this._cpus;
  }

  // gpu_kind - computed: false, optional: true, required: false
  private _gpuKind?: string; 
  public get gpuKind() {
    return this.getStringAttribute('gpu_kind');
  }
  public set gpuKind(value: string) {
    this._gpuKind = value;
  }
  public resetGpuKind() {
    this._gpuKind = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get gpuKindInput() {
    return this._gpuKind;
  }

  // gpus - computed: false, optional: true, required: false
  private _gpus?: number; 
  public get gpus() {
    return this.getNumberAttribute('gpus');
  }
  public set gpus(value: number) {
    this._gpus = value;
  }
  public resetGpus() {
    this._gpus = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get gpusInput() {
    return this._gpus;
  }

  // memory_mb - computed: true, optional: true, required: false
  private _memoryMb?: number; 
  public get memoryMb() {
    return this.getNumberAttribute('memory_mb');
  }
  public set memoryMb(value: number) {
    this._memoryMb = value;
  }
  public resetMemoryMb() {
    this._memoryMb = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get memoryMbInput() {
    return this._memoryMb;
  }
}
export interface MachineMetrics {
  /**
  * The path to expose metrics at.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#path Machine#path}
  */
  readonly path?: string;
  /**
  * The port to expose metrics on.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#port Machine#port}
  */
  readonly port?: number;
}

export function machineMetricsToTerraform(struct?: MachineMetrics | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    path: cdktf.stringToTerraform(struct!.path),
    port: cdktf.numberToTerraform(struct!.port),
  }
}


export function machineMetricsToHclTerraform(struct?: MachineMetrics | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    path: {
      value: cdktf.stringToHclTerraform(struct!.path),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    port: {
      value: cdktf.numberToHclTerraform(struct!.port),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineMetricsOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): MachineMetrics | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._path !== undefined) {
      hasAnyValues = true;
      internalValueResult.path = this._path;
    }
    if (this._port !== undefined) {
      hasAnyValues = true;
      internalValueResult.port = this._port;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineMetrics | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._path = undefined;
      this._port = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._path = value.path;
      this._port = value.port;
    }
  }

  // path - computed: false, optional: true, required: false
  private _path?: string; 
  public get path() {
    return this.getStringAttribute('path');
  }
  public set path(value: string) {
    this._path = value;
  }
  public resetPath() {
    this._path = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get pathInput() {
    return this._path;
  }

  // port - computed: false, optional: true, required: false
  private _port?: number; 
  public get port() {
    return this.getNumberAttribute('port');
  }
  public set port(value: number) {
    this._port = value;
  }
  public resetPort() {
    this._port = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get portInput() {
    return this._port;
  }
}
export interface MachineMount {
  /**
  * The size in GB to add when extending the volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#add_size_gb Machine#add_size_gb}
  */
  readonly addSizeGb?: number;
  /**
  * The threshold percentage at which to extend the volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#extend_threshold_percent Machine#extend_threshold_percent}
  */
  readonly extendThresholdPercent?: number;
  /**
  * The path inside the machine to mount the volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#path Machine#path}
  */
  readonly path?: string;
  /**
  * The maximum size in GB the volume can be extended to.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#size_gb_limit Machine#size_gb_limit}
  */
  readonly sizeGbLimit?: number;
  /**
  * The volume ID to mount. Changing this forces a new resource.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#volume Machine#volume}
  */
  readonly volume?: string;
}

export function machineMountToTerraform(struct?: MachineMount | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    add_size_gb: cdktf.numberToTerraform(struct!.addSizeGb),
    extend_threshold_percent: cdktf.numberToTerraform(struct!.extendThresholdPercent),
    path: cdktf.stringToTerraform(struct!.path),
    size_gb_limit: cdktf.numberToTerraform(struct!.sizeGbLimit),
    volume: cdktf.stringToTerraform(struct!.volume),
  }
}


export function machineMountToHclTerraform(struct?: MachineMount | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    add_size_gb: {
      value: cdktf.numberToHclTerraform(struct!.addSizeGb),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    extend_threshold_percent: {
      value: cdktf.numberToHclTerraform(struct!.extendThresholdPercent),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    path: {
      value: cdktf.stringToHclTerraform(struct!.path),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    size_gb_limit: {
      value: cdktf.numberToHclTerraform(struct!.sizeGbLimit),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    volume: {
      value: cdktf.stringToHclTerraform(struct!.volume),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineMountOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): MachineMount | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._addSizeGb !== undefined) {
      hasAnyValues = true;
      internalValueResult.addSizeGb = this._addSizeGb;
    }
    if (this._extendThresholdPercent !== undefined) {
      hasAnyValues = true;
      internalValueResult.extendThresholdPercent = this._extendThresholdPercent;
    }
    if (this._path !== undefined) {
      hasAnyValues = true;
      internalValueResult.path = this._path;
    }
    if (this._sizeGbLimit !== undefined) {
      hasAnyValues = true;
      internalValueResult.sizeGbLimit = this._sizeGbLimit;
    }
    if (this._volume !== undefined) {
      hasAnyValues = true;
      internalValueResult.volume = this._volume;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineMount | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._addSizeGb = undefined;
      this._extendThresholdPercent = undefined;
      this._path = undefined;
      this._sizeGbLimit = undefined;
      this._volume = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._addSizeGb = value.addSizeGb;
      this._extendThresholdPercent = value.extendThresholdPercent;
      this._path = value.path;
      this._sizeGbLimit = value.sizeGbLimit;
      this._volume = value.volume;
    }
  }

  // add_size_gb - computed: false, optional: true, required: false
  private _addSizeGb?: number; 
  public get addSizeGb() {
    return this.getNumberAttribute('add_size_gb');
  }
  public set addSizeGb(value: number) {
    this._addSizeGb = value;
  }
  public resetAddSizeGb() {
    this._addSizeGb = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get addSizeGbInput() {
    return this._addSizeGb;
  }

  // extend_threshold_percent - computed: false, optional: true, required: false
  private _extendThresholdPercent?: number; 
  public get extendThresholdPercent() {
    return this.getNumberAttribute('extend_threshold_percent');
  }
  public set extendThresholdPercent(value: number) {
    this._extendThresholdPercent = value;
  }
  public resetExtendThresholdPercent() {
    this._extendThresholdPercent = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get extendThresholdPercentInput() {
    return this._extendThresholdPercent;
  }

  // path - computed: false, optional: true, required: false
  private _path?: string; 
  public get path() {
    return this.getStringAttribute('path');
  }
  public set path(value: string) {
    this._path = value;
  }
  public resetPath() {
    this._path = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get pathInput() {
    return this._path;
  }

  // size_gb_limit - computed: false, optional: true, required: false
  private _sizeGbLimit?: number; 
  public get sizeGbLimit() {
    return this.getNumberAttribute('size_gb_limit');
  }
  public set sizeGbLimit(value: number) {
    this._sizeGbLimit = value;
  }
  public resetSizeGbLimit() {
    this._sizeGbLimit = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get sizeGbLimitInput() {
    return this._sizeGbLimit;
  }

  // volume - computed: false, optional: true, required: false
  private _volume?: string; 
  public get volume() {
    return this.getStringAttribute('volume');
  }
  public set volume(value: string) {
    this._volume = value;
  }
  public resetVolume() {
    this._volume = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get volumeInput() {
    return this._volume;
  }
}
export interface MachineRestart {
  /**
  * Maximum number of restart retries.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#max_retries Machine#max_retries}
  */
  readonly maxRetries?: number;
  /**
  * The restart policy (e.g., 'always', 'on-failure', 'no').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#policy Machine#policy}
  */
  readonly policy?: string;
}

export function machineRestartToTerraform(struct?: MachineRestart | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    max_retries: cdktf.numberToTerraform(struct!.maxRetries),
    policy: cdktf.stringToTerraform(struct!.policy),
  }
}


export function machineRestartToHclTerraform(struct?: MachineRestart | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    max_retries: {
      value: cdktf.numberToHclTerraform(struct!.maxRetries),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    policy: {
      value: cdktf.stringToHclTerraform(struct!.policy),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineRestartOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): MachineRestart | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._maxRetries !== undefined) {
      hasAnyValues = true;
      internalValueResult.maxRetries = this._maxRetries;
    }
    if (this._policy !== undefined) {
      hasAnyValues = true;
      internalValueResult.policy = this._policy;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineRestart | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._maxRetries = undefined;
      this._policy = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._maxRetries = value.maxRetries;
      this._policy = value.policy;
    }
  }

  // max_retries - computed: false, optional: true, required: false
  private _maxRetries?: number; 
  public get maxRetries() {
    return this.getNumberAttribute('max_retries');
  }
  public set maxRetries(value: number) {
    this._maxRetries = value;
  }
  public resetMaxRetries() {
    this._maxRetries = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get maxRetriesInput() {
    return this._maxRetries;
  }

  // policy - computed: false, optional: true, required: false
  private _policy?: string; 
  public get policy() {
    return this.getStringAttribute('policy');
  }
  public set policy(value: string) {
    this._policy = value;
  }
  public resetPolicy() {
    this._policy = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get policyInput() {
    return this._policy;
  }
}
export interface MachineServiceConcurrency {
  /**
  * The hard concurrency limit.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#hard_limit Machine#hard_limit}
  */
  readonly hardLimit?: number;
  /**
  * The soft concurrency limit.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#soft_limit Machine#soft_limit}
  */
  readonly softLimit?: number;
  /**
  * The concurrency type (e.g., 'connections', 'requests').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#type Machine#type}
  */
  readonly type?: string;
}

export function machineServiceConcurrencyToTerraform(struct?: MachineServiceConcurrency | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    hard_limit: cdktf.numberToTerraform(struct!.hardLimit),
    soft_limit: cdktf.numberToTerraform(struct!.softLimit),
    type: cdktf.stringToTerraform(struct!.type),
  }
}


export function machineServiceConcurrencyToHclTerraform(struct?: MachineServiceConcurrency | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    hard_limit: {
      value: cdktf.numberToHclTerraform(struct!.hardLimit),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    soft_limit: {
      value: cdktf.numberToHclTerraform(struct!.softLimit),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    type: {
      value: cdktf.stringToHclTerraform(struct!.type),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineServiceConcurrencyOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string) {
    super(terraformResource, terraformAttribute, false);
  }

  public get internalValue(): MachineServiceConcurrency | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._hardLimit !== undefined) {
      hasAnyValues = true;
      internalValueResult.hardLimit = this._hardLimit;
    }
    if (this._softLimit !== undefined) {
      hasAnyValues = true;
      internalValueResult.softLimit = this._softLimit;
    }
    if (this._type !== undefined) {
      hasAnyValues = true;
      internalValueResult.type = this._type;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineServiceConcurrency | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._hardLimit = undefined;
      this._softLimit = undefined;
      this._type = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._hardLimit = value.hardLimit;
      this._softLimit = value.softLimit;
      this._type = value.type;
    }
  }

  // hard_limit - computed: false, optional: true, required: false
  private _hardLimit?: number; 
  public get hardLimit() {
    return this.getNumberAttribute('hard_limit');
  }
  public set hardLimit(value: number) {
    this._hardLimit = value;
  }
  public resetHardLimit() {
    this._hardLimit = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get hardLimitInput() {
    return this._hardLimit;
  }

  // soft_limit - computed: false, optional: true, required: false
  private _softLimit?: number; 
  public get softLimit() {
    return this.getNumberAttribute('soft_limit');
  }
  public set softLimit(value: number) {
    this._softLimit = value;
  }
  public resetSoftLimit() {
    this._softLimit = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get softLimitInput() {
    return this._softLimit;
  }

  // type - computed: false, optional: true, required: false
  private _type?: string; 
  public get type() {
    return this.getStringAttribute('type');
  }
  public set type(value: string) {
    this._type = value;
  }
  public resetType() {
    this._type = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get typeInput() {
    return this._type;
  }
}
export interface MachineServicePort {
  /**
  * Whether to force HTTPS for this port.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#force_https Machine#force_https}
  */
  readonly forceHttps?: boolean | cdktf.IResolvable;
  /**
  * Protocol handlers (e.g., 'http', 'tls').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#handlers Machine#handlers}
  */
  readonly handlers?: string[];
  /**
  * The external port number.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#port Machine#port}
  */
  readonly port?: number;
}

export function machineServicePortToTerraform(struct?: MachineServicePort | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    force_https: cdktf.booleanToTerraform(struct!.forceHttps),
    handlers: cdktf.listMapper(cdktf.stringToTerraform, false)(struct!.handlers),
    port: cdktf.numberToTerraform(struct!.port),
  }
}


export function machineServicePortToHclTerraform(struct?: MachineServicePort | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    force_https: {
      value: cdktf.booleanToHclTerraform(struct!.forceHttps),
      isBlock: false,
      type: "simple",
      storageClassType: "boolean",
    },
    handlers: {
      value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(struct!.handlers),
      isBlock: false,
      type: "list",
      storageClassType: "stringList",
    },
    port: {
      value: cdktf.numberToHclTerraform(struct!.port),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineServicePortOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param complexObjectIndex the index of this item in the list
  * @param complexObjectIsFromSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, complexObjectIndex: number, complexObjectIsFromSet: boolean) {
    super(terraformResource, terraformAttribute, complexObjectIsFromSet, complexObjectIndex);
  }

  public get internalValue(): MachineServicePort | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._forceHttps !== undefined) {
      hasAnyValues = true;
      internalValueResult.forceHttps = this._forceHttps;
    }
    if (this._handlers !== undefined) {
      hasAnyValues = true;
      internalValueResult.handlers = this._handlers;
    }
    if (this._port !== undefined) {
      hasAnyValues = true;
      internalValueResult.port = this._port;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineServicePort | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._forceHttps = undefined;
      this._handlers = undefined;
      this._port = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._forceHttps = value.forceHttps;
      this._handlers = value.handlers;
      this._port = value.port;
    }
  }

  // force_https - computed: true, optional: true, required: false
  private _forceHttps?: boolean | cdktf.IResolvable; 
  public get forceHttps() {
    return this.getBooleanAttribute('force_https');
  }
  public set forceHttps(value: boolean | cdktf.IResolvable) {
    this._forceHttps = value;
  }
  public resetForceHttps() {
    this._forceHttps = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get forceHttpsInput() {
    return this._forceHttps;
  }

  // handlers - computed: false, optional: true, required: false
  private _handlers?: string[]; 
  public get handlers() {
    return this.getListAttribute('handlers');
  }
  public set handlers(value: string[]) {
    this._handlers = value;
  }
  public resetHandlers() {
    this._handlers = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get handlersInput() {
    return this._handlers;
  }

  // port - computed: false, optional: true, required: false
  private _port?: number; 
  public get port() {
    return this.getNumberAttribute('port');
  }
  public set port(value: number) {
    this._port = value;
  }
  public resetPort() {
    this._port = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get portInput() {
    return this._port;
  }
}

export class MachineServicePortList extends cdktf.ComplexList {
  public internalValue? : MachineServicePort[] | cdktf.IResolvable

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param wrapsSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(protected terraformResource: cdktf.IInterpolatingParent, protected terraformAttribute: string, protected wrapsSet: boolean) {
    super(terraformResource, terraformAttribute, wrapsSet)
  }

  /**
  * @param index the index of the item to return
  */
  public get(index: number): MachineServicePortOutputReference {
    return new MachineServicePortOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}
export interface MachineService {
  /**
  * Whether the machine should be started automatically when a request is received.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#autostart Machine#autostart}
  */
  readonly autostart?: boolean | cdktf.IResolvable;
  /**
  * Whether the machine should be stopped automatically when idle.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#autostop Machine#autostop}
  */
  readonly autostop?: boolean | cdktf.IResolvable;
  /**
  * Whether to force HTTPS on the service.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#force_https Machine#force_https}
  */
  readonly forceHttps?: boolean | cdktf.IResolvable;
  /**
  * The port the service listens on inside the machine.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#internal_port Machine#internal_port}
  */
  readonly internalPort: number;
  /**
  * Minimum number of machines to keep running.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#min_machines_running Machine#min_machines_running}
  */
  readonly minMachinesRunning?: number;
  /**
  * The protocol for the service (e.g., 'tcp', 'udp').
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#protocol Machine#protocol}
  */
  readonly protocol: string;
  /**
  * concurrency block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#concurrency Machine#concurrency}
  */
  readonly concurrency?: MachineServiceConcurrency;
  /**
  * port block
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#port Machine#port}
  */
  readonly port?: MachineServicePort[] | cdktf.IResolvable;
}

export function machineServiceToTerraform(struct?: MachineService | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  return {
    autostart: cdktf.booleanToTerraform(struct!.autostart),
    autostop: cdktf.booleanToTerraform(struct!.autostop),
    force_https: cdktf.booleanToTerraform(struct!.forceHttps),
    internal_port: cdktf.numberToTerraform(struct!.internalPort),
    min_machines_running: cdktf.numberToTerraform(struct!.minMachinesRunning),
    protocol: cdktf.stringToTerraform(struct!.protocol),
    concurrency: machineServiceConcurrencyToTerraform(struct!.concurrency),
    port: cdktf.listMapper(machineServicePortToTerraform, true)(struct!.port),
  }
}


export function machineServiceToHclTerraform(struct?: MachineService | cdktf.IResolvable): any {
  if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) { return struct; }
  if (cdktf.isComplexElement(struct)) {
    throw new Error("A complex element was used as configuration, this is not supported: https://cdk.tf/complex-object-as-configuration");
  }
  const attrs = {
    autostart: {
      value: cdktf.booleanToHclTerraform(struct!.autostart),
      isBlock: false,
      type: "simple",
      storageClassType: "boolean",
    },
    autostop: {
      value: cdktf.booleanToHclTerraform(struct!.autostop),
      isBlock: false,
      type: "simple",
      storageClassType: "boolean",
    },
    force_https: {
      value: cdktf.booleanToHclTerraform(struct!.forceHttps),
      isBlock: false,
      type: "simple",
      storageClassType: "boolean",
    },
    internal_port: {
      value: cdktf.numberToHclTerraform(struct!.internalPort),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    min_machines_running: {
      value: cdktf.numberToHclTerraform(struct!.minMachinesRunning),
      isBlock: false,
      type: "simple",
      storageClassType: "number",
    },
    protocol: {
      value: cdktf.stringToHclTerraform(struct!.protocol),
      isBlock: false,
      type: "simple",
      storageClassType: "string",
    },
    concurrency: {
      value: machineServiceConcurrencyToHclTerraform(struct!.concurrency),
      isBlock: true,
      type: "struct",
      storageClassType: "MachineServiceConcurrency",
    },
    port: {
      value: cdktf.listMapperHcl(machineServicePortToHclTerraform, true)(struct!.port),
      isBlock: true,
      type: "list",
      storageClassType: "MachineServicePortList",
    },
  };

  // remove undefined attributes
  return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined));
}

export class MachineServiceOutputReference extends cdktf.ComplexObject {
  private isEmptyObject = false;
  private resolvableValue?: cdktf.IResolvable;

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param complexObjectIndex the index of this item in the list
  * @param complexObjectIsFromSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  public constructor(terraformResource: cdktf.IInterpolatingParent, terraformAttribute: string, complexObjectIndex: number, complexObjectIsFromSet: boolean) {
    super(terraformResource, terraformAttribute, complexObjectIsFromSet, complexObjectIndex);
  }

  public get internalValue(): MachineService | cdktf.IResolvable | undefined {
    if (this.resolvableValue) {
      return this.resolvableValue;
    }
    let hasAnyValues = this.isEmptyObject;
    const internalValueResult: any = {};
    if (this._autostart !== undefined) {
      hasAnyValues = true;
      internalValueResult.autostart = this._autostart;
    }
    if (this._autostop !== undefined) {
      hasAnyValues = true;
      internalValueResult.autostop = this._autostop;
    }
    if (this._forceHttps !== undefined) {
      hasAnyValues = true;
      internalValueResult.forceHttps = this._forceHttps;
    }
    if (this._internalPort !== undefined) {
      hasAnyValues = true;
      internalValueResult.internalPort = this._internalPort;
    }
    if (this._minMachinesRunning !== undefined) {
      hasAnyValues = true;
      internalValueResult.minMachinesRunning = this._minMachinesRunning;
    }
    if (this._protocol !== undefined) {
      hasAnyValues = true;
      internalValueResult.protocol = this._protocol;
    }
    if (this._concurrency?.internalValue !== undefined) {
      hasAnyValues = true;
      internalValueResult.concurrency = this._concurrency?.internalValue;
    }
    if (this._port?.internalValue !== undefined) {
      hasAnyValues = true;
      internalValueResult.port = this._port?.internalValue;
    }
    return hasAnyValues ? internalValueResult : undefined;
  }

  public set internalValue(value: MachineService | cdktf.IResolvable | undefined) {
    if (value === undefined) {
      this.isEmptyObject = false;
      this.resolvableValue = undefined;
      this._autostart = undefined;
      this._autostop = undefined;
      this._forceHttps = undefined;
      this._internalPort = undefined;
      this._minMachinesRunning = undefined;
      this._protocol = undefined;
      this._concurrency.internalValue = undefined;
      this._port.internalValue = undefined;
    }
    else if (cdktf.Tokenization.isResolvable(value)) {
      this.isEmptyObject = false;
      this.resolvableValue = value;
    }
    else {
      this.isEmptyObject = Object.keys(value).length === 0;
      this.resolvableValue = undefined;
      this._autostart = value.autostart;
      this._autostop = value.autostop;
      this._forceHttps = value.forceHttps;
      this._internalPort = value.internalPort;
      this._minMachinesRunning = value.minMachinesRunning;
      this._protocol = value.protocol;
      this._concurrency.internalValue = value.concurrency;
      this._port.internalValue = value.port;
    }
  }

  // autostart - computed: false, optional: true, required: false
  private _autostart?: boolean | cdktf.IResolvable; 
  public get autostart() {
    return this.getBooleanAttribute('autostart');
  }
  public set autostart(value: boolean | cdktf.IResolvable) {
    this._autostart = value;
  }
  public resetAutostart() {
    this._autostart = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get autostartInput() {
    return this._autostart;
  }

  // autostop - computed: false, optional: true, required: false
  private _autostop?: boolean | cdktf.IResolvable; 
  public get autostop() {
    return this.getBooleanAttribute('autostop');
  }
  public set autostop(value: boolean | cdktf.IResolvable) {
    this._autostop = value;
  }
  public resetAutostop() {
    this._autostop = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get autostopInput() {
    return this._autostop;
  }

  // force_https - computed: true, optional: true, required: false
  private _forceHttps?: boolean | cdktf.IResolvable; 
  public get forceHttps() {
    return this.getBooleanAttribute('force_https');
  }
  public set forceHttps(value: boolean | cdktf.IResolvable) {
    this._forceHttps = value;
  }
  public resetForceHttps() {
    this._forceHttps = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get forceHttpsInput() {
    return this._forceHttps;
  }

  // internal_port - computed: false, optional: false, required: true
  private _internalPort?: number; 
  public get internalPort() {
    return this.getNumberAttribute('internal_port');
  }
  public set internalPort(value: number) {
    this._internalPort = value;
  }
  // Temporarily expose input value. Use with caution.
  public get internalPortInput() {
    return this._internalPort;
  }

  // min_machines_running - computed: false, optional: true, required: false
  private _minMachinesRunning?: number; 
  public get minMachinesRunning() {
    return this.getNumberAttribute('min_machines_running');
  }
  public set minMachinesRunning(value: number) {
    this._minMachinesRunning = value;
  }
  public resetMinMachinesRunning() {
    this._minMachinesRunning = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get minMachinesRunningInput() {
    return this._minMachinesRunning;
  }

  // protocol - computed: false, optional: false, required: true
  private _protocol?: string; 
  public get protocol() {
    return this.getStringAttribute('protocol');
  }
  public set protocol(value: string) {
    this._protocol = value;
  }
  // Temporarily expose input value. Use with caution.
  public get protocolInput() {
    return this._protocol;
  }

  // concurrency - computed: false, optional: true, required: false
  private _concurrency = new MachineServiceConcurrencyOutputReference(this, "concurrency");
  public get concurrency() {
    return this._concurrency;
  }
  public putConcurrency(value: MachineServiceConcurrency) {
    this._concurrency.internalValue = value;
  }
  public resetConcurrency() {
    this._concurrency.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get concurrencyInput() {
    return this._concurrency.internalValue;
  }

  // port - computed: false, optional: true, required: false
  private _port = new MachineServicePortList(this, "port", false);
  public get port() {
    return this._port;
  }
  public putPort(value: MachineServicePort[] | cdktf.IResolvable) {
    this._port.internalValue = value;
  }
  public resetPort() {
    this._port.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get portInput() {
    return this._port.internalValue;
  }
}

export class MachineServiceList extends cdktf.ComplexList {
  public internalValue? : MachineService[] | cdktf.IResolvable

  /**
  * @param terraformResource The parent resource
  * @param terraformAttribute The attribute on the parent resource this class is referencing
  * @param wrapsSet whether the list is wrapping a set (will add tolist() to be able to access an item via an index)
  */
  constructor(protected terraformResource: cdktf.IInterpolatingParent, protected terraformAttribute: string, protected wrapsSet: boolean) {
    super(terraformResource, terraformAttribute, wrapsSet)
  }

  /**
  * @param index the index of the item to return
  */
  public get(index: number): MachineServiceOutputReference {
    return new MachineServiceOutputReference(this.terraformResource, this.terraformAttribute, index, this.wrapsSet);
  }
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine fly_machine}
*/
export class Machine extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly_machine";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Machine resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Machine to import
  * @param importFromId The id of the existing Machine that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Machine to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly_machine", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/machine fly_machine} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options MachineConfig
  */
  public constructor(scope: Construct, id: string, config: MachineConfig) {
    super(scope, id, {
      terraformResourceType: 'fly_machine',
      terraformGeneratorMetadata: {
        providerName: 'fly',
        providerVersionConstraint: '= 0.2.4'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._app = config.app;
    this._autoDestroy = config.autoDestroy;
    this._cmd = config.cmd;
    this._cordoned = config.cordoned;
    this._desiredStatus = config.desiredStatus;
    this._entrypoint = config.entrypoint;
    this._env = config.env;
    this._image = config.image;
    this._metadata = config.metadata;
    this._name = config.name;
    this._region = config.region;
    this._schedule = config.schedule;
    this._skipLaunch = config.skipLaunch;
    this._check.internalValue = config.check;
    this._guest.internalValue = config.guest;
    this._metrics.internalValue = config.metrics;
    this._mount.internalValue = config.mount;
    this._restart.internalValue = config.restart;
    this._service.internalValue = config.service;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // app - computed: false, optional: false, required: true
  private _app?: string; 
  public get app() {
    return this.getStringAttribute('app');
  }
  public set app(value: string) {
    this._app = value;
  }
  // Temporarily expose input value. Use with caution.
  public get appInput() {
    return this._app;
  }

  // auto_destroy - computed: true, optional: true, required: false
  private _autoDestroy?: boolean | cdktf.IResolvable; 
  public get autoDestroy() {
    return this.getBooleanAttribute('auto_destroy');
  }
  public set autoDestroy(value: boolean | cdktf.IResolvable) {
    this._autoDestroy = value;
  }
  public resetAutoDestroy() {
    this._autoDestroy = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get autoDestroyInput() {
    return this._autoDestroy;
  }

  // cmd - computed: false, optional: true, required: false
  private _cmd?: string[]; 
  public get cmd() {
    return this.getListAttribute('cmd');
  }
  public set cmd(value: string[]) {
    this._cmd = value;
  }
  public resetCmd() {
    this._cmd = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cmdInput() {
    return this._cmd;
  }

  // cordoned - computed: true, optional: true, required: false
  private _cordoned?: boolean | cdktf.IResolvable; 
  public get cordoned() {
    return this.getBooleanAttribute('cordoned');
  }
  public set cordoned(value: boolean | cdktf.IResolvable) {
    this._cordoned = value;
  }
  public resetCordoned() {
    this._cordoned = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get cordonedInput() {
    return this._cordoned;
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // desired_status - computed: true, optional: true, required: false
  private _desiredStatus?: string; 
  public get desiredStatus() {
    return this.getStringAttribute('desired_status');
  }
  public set desiredStatus(value: string) {
    this._desiredStatus = value;
  }
  public resetDesiredStatus() {
    this._desiredStatus = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get desiredStatusInput() {
    return this._desiredStatus;
  }

  // entrypoint - computed: false, optional: true, required: false
  private _entrypoint?: string[]; 
  public get entrypoint() {
    return this.getListAttribute('entrypoint');
  }
  public set entrypoint(value: string[]) {
    this._entrypoint = value;
  }
  public resetEntrypoint() {
    this._entrypoint = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get entrypointInput() {
    return this._entrypoint;
  }

  // env - computed: false, optional: true, required: false
  private _env?: { [key: string]: string }; 
  public get env() {
    return this.getStringMapAttribute('env');
  }
  public set env(value: { [key: string]: string }) {
    this._env = value;
  }
  public resetEnv() {
    this._env = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get envInput() {
    return this._env;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
  }

  // image - computed: false, optional: false, required: true
  private _image?: string; 
  public get image() {
    return this.getStringAttribute('image');
  }
  public set image(value: string) {
    this._image = value;
  }
  // Temporarily expose input value. Use with caution.
  public get imageInput() {
    return this._image;
  }

  // instance_id - computed: true, optional: false, required: false
  public get instanceId() {
    return this.getStringAttribute('instance_id');
  }

  // metadata - computed: false, optional: true, required: false
  private _metadata?: { [key: string]: string }; 
  public get metadata() {
    return this.getStringMapAttribute('metadata');
  }
  public set metadata(value: { [key: string]: string }) {
    this._metadata = value;
  }
  public resetMetadata() {
    this._metadata = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get metadataInput() {
    return this._metadata;
  }

  // name - computed: true, optional: true, required: false
  private _name?: string; 
  public get name() {
    return this.getStringAttribute('name');
  }
  public set name(value: string) {
    this._name = value;
  }
  public resetName() {
    this._name = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get nameInput() {
    return this._name;
  }

  // private_ip - computed: true, optional: false, required: false
  public get privateIp() {
    return this.getStringAttribute('private_ip');
  }

  // region - computed: false, optional: false, required: true
  private _region?: string; 
  public get region() {
    return this.getStringAttribute('region');
  }
  public set region(value: string) {
    this._region = value;
  }
  // Temporarily expose input value. Use with caution.
  public get regionInput() {
    return this._region;
  }

  // schedule - computed: false, optional: true, required: false
  private _schedule?: string; 
  public get schedule() {
    return this.getStringAttribute('schedule');
  }
  public set schedule(value: string) {
    this._schedule = value;
  }
  public resetSchedule() {
    this._schedule = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get scheduleInput() {
    return this._schedule;
  }

  // skip_launch - computed: true, optional: true, required: false
  private _skipLaunch?: boolean | cdktf.IResolvable; 
  public get skipLaunch() {
    return this.getBooleanAttribute('skip_launch');
  }
  public set skipLaunch(value: boolean | cdktf.IResolvable) {
    this._skipLaunch = value;
  }
  public resetSkipLaunch() {
    this._skipLaunch = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get skipLaunchInput() {
    return this._skipLaunch;
  }

  // state - computed: true, optional: false, required: false
  public get state() {
    return this.getStringAttribute('state');
  }

  // updated_at - computed: true, optional: false, required: false
  public get updatedAt() {
    return this.getStringAttribute('updated_at');
  }

  // check - computed: false, optional: true, required: false
  private _check = new MachineCheckList(this, "check", false);
  public get check() {
    return this._check;
  }
  public putCheck(value: MachineCheck[] | cdktf.IResolvable) {
    this._check.internalValue = value;
  }
  public resetCheck() {
    this._check.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get checkInput() {
    return this._check.internalValue;
  }

  // guest - computed: false, optional: true, required: false
  private _guest = new MachineGuestOutputReference(this, "guest");
  public get guest() {
    return this._guest;
  }
  public putGuest(value: MachineGuest) {
    this._guest.internalValue = value;
  }
  public resetGuest() {
    this._guest.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get guestInput() {
    return this._guest.internalValue;
  }

  // metrics - computed: false, optional: true, required: false
  private _metrics = new MachineMetricsOutputReference(this, "metrics");
  public get metrics() {
    return this._metrics;
  }
  public putMetrics(value: MachineMetrics) {
    this._metrics.internalValue = value;
  }
  public resetMetrics() {
    this._metrics.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get metricsInput() {
    return this._metrics.internalValue;
  }

  // mount - computed: false, optional: true, required: false
  private _mount = new MachineMountOutputReference(this, "mount");
  public get mount() {
    return this._mount;
  }
  public putMount(value: MachineMount) {
    this._mount.internalValue = value;
  }
  public resetMount() {
    this._mount.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get mountInput() {
    return this._mount.internalValue;
  }

  // restart - computed: false, optional: true, required: false
  private _restart = new MachineRestartOutputReference(this, "restart");
  public get restart() {
    return this._restart;
  }
  public putRestart(value: MachineRestart) {
    this._restart.internalValue = value;
  }
  public resetRestart() {
    this._restart.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get restartInput() {
    return this._restart.internalValue;
  }

  // service - computed: false, optional: true, required: false
  private _service = new MachineServiceList(this, "service", false);
  public get service() {
    return this._service;
  }
  public putService(value: MachineService[] | cdktf.IResolvable) {
    this._service.internalValue = value;
  }
  public resetService() {
    this._service.internalValue = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get serviceInput() {
    return this._service.internalValue;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      app: cdktf.stringToTerraform(this._app),
      auto_destroy: cdktf.booleanToTerraform(this._autoDestroy),
      cmd: cdktf.listMapper(cdktf.stringToTerraform, false)(this._cmd),
      cordoned: cdktf.booleanToTerraform(this._cordoned),
      desired_status: cdktf.stringToTerraform(this._desiredStatus),
      entrypoint: cdktf.listMapper(cdktf.stringToTerraform, false)(this._entrypoint),
      env: cdktf.hashMapper(cdktf.stringToTerraform)(this._env),
      image: cdktf.stringToTerraform(this._image),
      metadata: cdktf.hashMapper(cdktf.stringToTerraform)(this._metadata),
      name: cdktf.stringToTerraform(this._name),
      region: cdktf.stringToTerraform(this._region),
      schedule: cdktf.stringToTerraform(this._schedule),
      skip_launch: cdktf.booleanToTerraform(this._skipLaunch),
      check: cdktf.listMapper(machineCheckToTerraform, true)(this._check.internalValue),
      guest: machineGuestToTerraform(this._guest.internalValue),
      metrics: machineMetricsToTerraform(this._metrics.internalValue),
      mount: machineMountToTerraform(this._mount.internalValue),
      restart: machineRestartToTerraform(this._restart.internalValue),
      service: cdktf.listMapper(machineServiceToTerraform, true)(this._service.internalValue),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      app: {
        value: cdktf.stringToHclTerraform(this._app),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      auto_destroy: {
        value: cdktf.booleanToHclTerraform(this._autoDestroy),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      cmd: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._cmd),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      cordoned: {
        value: cdktf.booleanToHclTerraform(this._cordoned),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      desired_status: {
        value: cdktf.stringToHclTerraform(this._desiredStatus),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      entrypoint: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._entrypoint),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      env: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._env),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      image: {
        value: cdktf.stringToHclTerraform(this._image),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      metadata: {
        value: cdktf.hashMapperHcl(cdktf.stringToHclTerraform)(this._metadata),
        isBlock: false,
        type: "map",
        storageClassType: "stringMap",
      },
      name: {
        value: cdktf.stringToHclTerraform(this._name),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      region: {
        value: cdktf.stringToHclTerraform(this._region),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      schedule: {
        value: cdktf.stringToHclTerraform(this._schedule),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      skip_launch: {
        value: cdktf.booleanToHclTerraform(this._skipLaunch),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      check: {
        value: cdktf.listMapperHcl(machineCheckToHclTerraform, true)(this._check.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "MachineCheckList",
      },
      guest: {
        value: machineGuestToHclTerraform(this._guest.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "MachineGuest",
      },
      metrics: {
        value: machineMetricsToHclTerraform(this._metrics.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "MachineMetrics",
      },
      mount: {
        value: machineMountToHclTerraform(this._mount.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "MachineMount",
      },
      restart: {
        value: machineRestartToHclTerraform(this._restart.internalValue),
        isBlock: true,
        type: "struct",
        storageClassType: "MachineRestart",
      },
      service: {
        value: cdktf.listMapperHcl(machineServiceToHclTerraform, true)(this._service.internalValue),
        isBlock: true,
        type: "list",
        storageClassType: "MachineServiceList",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}

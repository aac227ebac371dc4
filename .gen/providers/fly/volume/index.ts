// https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from 'cdktf';

// Configuration

export interface VolumeConfig extends cdktf.TerraformMetaArguments {
  /**
  * The name of the app the volume belongs to. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#app Volume#app}
  */
  readonly app: string;
  /**
  * Whether automatic backups are enabled for the volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#auto_backup_enabled Volume#auto_backup_enabled}
  */
  readonly autoBackupEnabled?: boolean | cdktf.IResolvable;
  /**
  * Whether the volume is encrypted. Defaults to true. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#encrypted Volume#encrypted}
  */
  readonly encrypted?: boolean | cdktf.IResolvable;
  /**
  * The name of the volume. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#name Volume#name}
  */
  readonly name: string;
  /**
  * The region where the volume is created. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#region Volume#region}
  */
  readonly region: string;
  /**
  * Whether the volume requires a unique zone. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#require_unique_zone Volume#require_unique_zone}
  */
  readonly requireUniqueZone?: boolean | cdktf.IResolvable;
  /**
  * The size of the volume in GB. Can only be increased (extend-only).
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#size_gb Volume#size_gb}
  */
  readonly sizeGb: number;
  /**
  * The ID of the snapshot to restore from. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#snapshot_id Volume#snapshot_id}
  */
  readonly snapshotId?: string;
  /**
  * The number of snapshots to retain for the volume.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#snapshot_retention Volume#snapshot_retention}
  */
  readonly snapshotRetention?: number;
  /**
  * The ID of the source volume to fork from. Changing this forces a new resource to be created.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#source_volume_id Volume#source_volume_id}
  */
  readonly sourceVolumeId?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume fly_volume}
*/
export class Volume extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "fly_volume";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Volume resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Volume to import
  * @param importFromId The id of the existing Volume that should be imported. Refer to the {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Volume to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "fly_volume", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/stategraph/fly/latest/docs/resources/volume fly_volume} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options VolumeConfig
  */
  public constructor(scope: Construct, id: string, config: VolumeConfig) {
    super(scope, id, {
      terraformResourceType: 'fly_volume',
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
    this._autoBackupEnabled = config.autoBackupEnabled;
    this._encrypted = config.encrypted;
    this._name = config.name;
    this._region = config.region;
    this._requireUniqueZone = config.requireUniqueZone;
    this._sizeGb = config.sizeGb;
    this._snapshotId = config.snapshotId;
    this._snapshotRetention = config.snapshotRetention;
    this._sourceVolumeId = config.sourceVolumeId;
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

  // attached_machine_id - computed: true, optional: false, required: false
  public get attachedMachineId() {
    return this.getStringAttribute('attached_machine_id');
  }

  // auto_backup_enabled - computed: true, optional: true, required: false
  private _autoBackupEnabled?: boolean | cdktf.IResolvable; 
  public get autoBackupEnabled() {
    return this.getBooleanAttribute('auto_backup_enabled');
  }
  public set autoBackupEnabled(value: boolean | cdktf.IResolvable) {
    this._autoBackupEnabled = value;
  }
  public resetAutoBackupEnabled() {
    this._autoBackupEnabled = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get autoBackupEnabledInput() {
    return this._autoBackupEnabled;
  }

  // created_at - computed: true, optional: false, required: false
  public get createdAt() {
    return this.getStringAttribute('created_at');
  }

  // encrypted - computed: true, optional: true, required: false
  private _encrypted?: boolean | cdktf.IResolvable; 
  public get encrypted() {
    return this.getBooleanAttribute('encrypted');
  }
  public set encrypted(value: boolean | cdktf.IResolvable) {
    this._encrypted = value;
  }
  public resetEncrypted() {
    this._encrypted = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get encryptedInput() {
    return this._encrypted;
  }

  // id - computed: true, optional: false, required: false
  public get id() {
    return this.getStringAttribute('id');
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

  // require_unique_zone - computed: false, optional: true, required: false
  private _requireUniqueZone?: boolean | cdktf.IResolvable; 
  public get requireUniqueZone() {
    return this.getBooleanAttribute('require_unique_zone');
  }
  public set requireUniqueZone(value: boolean | cdktf.IResolvable) {
    this._requireUniqueZone = value;
  }
  public resetRequireUniqueZone() {
    this._requireUniqueZone = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get requireUniqueZoneInput() {
    return this._requireUniqueZone;
  }

  // size_gb - computed: false, optional: false, required: true
  private _sizeGb?: number; 
  public get sizeGb() {
    return this.getNumberAttribute('size_gb');
  }
  public set sizeGb(value: number) {
    this._sizeGb = value;
  }
  // Temporarily expose input value. Use with caution.
  public get sizeGbInput() {
    return this._sizeGb;
  }

  // snapshot_id - computed: false, optional: true, required: false
  private _snapshotId?: string; 
  public get snapshotId() {
    return this.getStringAttribute('snapshot_id');
  }
  public set snapshotId(value: string) {
    this._snapshotId = value;
  }
  public resetSnapshotId() {
    this._snapshotId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get snapshotIdInput() {
    return this._snapshotId;
  }

  // snapshot_retention - computed: true, optional: true, required: false
  private _snapshotRetention?: number; 
  public get snapshotRetention() {
    return this.getNumberAttribute('snapshot_retention');
  }
  public set snapshotRetention(value: number) {
    this._snapshotRetention = value;
  }
  public resetSnapshotRetention() {
    this._snapshotRetention = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get snapshotRetentionInput() {
    return this._snapshotRetention;
  }

  // source_volume_id - computed: false, optional: true, required: false
  private _sourceVolumeId?: string; 
  public get sourceVolumeId() {
    return this.getStringAttribute('source_volume_id');
  }
  public set sourceVolumeId(value: string) {
    this._sourceVolumeId = value;
  }
  public resetSourceVolumeId() {
    this._sourceVolumeId = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get sourceVolumeIdInput() {
    return this._sourceVolumeId;
  }

  // state - computed: true, optional: false, required: false
  public get state() {
    return this.getStringAttribute('state');
  }

  // zone - computed: true, optional: false, required: false
  public get zone() {
    return this.getStringAttribute('zone');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      app: cdktf.stringToTerraform(this._app),
      auto_backup_enabled: cdktf.booleanToTerraform(this._autoBackupEnabled),
      encrypted: cdktf.booleanToTerraform(this._encrypted),
      name: cdktf.stringToTerraform(this._name),
      region: cdktf.stringToTerraform(this._region),
      require_unique_zone: cdktf.booleanToTerraform(this._requireUniqueZone),
      size_gb: cdktf.numberToTerraform(this._sizeGb),
      snapshot_id: cdktf.stringToTerraform(this._snapshotId),
      snapshot_retention: cdktf.numberToTerraform(this._snapshotRetention),
      source_volume_id: cdktf.stringToTerraform(this._sourceVolumeId),
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
      auto_backup_enabled: {
        value: cdktf.booleanToHclTerraform(this._autoBackupEnabled),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      encrypted: {
        value: cdktf.booleanToHclTerraform(this._encrypted),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
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
      require_unique_zone: {
        value: cdktf.booleanToHclTerraform(this._requireUniqueZone),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      size_gb: {
        value: cdktf.numberToHclTerraform(this._sizeGb),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      snapshot_id: {
        value: cdktf.stringToHclTerraform(this._snapshotId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      snapshot_retention: {
        value: cdktf.numberToHclTerraform(this._snapshotRetention),
        isBlock: false,
        type: "simple",
        storageClassType: "number",
      },
      source_volume_id: {
        value: cdktf.stringToHclTerraform(this._sourceVolumeId),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
